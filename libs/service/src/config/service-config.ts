import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { validateServiceEnvironment } from './service-environment';

/**
 * What every Herd service reads from its environment. Each server is optional: unset means the
 * embedded default (SQLite, in-memory saga transport, in-memory registry), so a first run needs
 * no servers at all.
 */
export interface ServiceConfig {
  readonly name: string;
  readonly version: string;
  readonly instanceId: string;
  readonly host: string;
  readonly port: number;
  /**
   * Where to write the port the HTTP server listens on once it does: with `PORT=0` (an
   * ephemeral port, as on a Swarm host network) a health check in the same container reads it.
   */
  readonly portFile?: string;
  /** The service's own database; unset = embedded SQLite. */
  readonly databaseUrl?: string;
  /** A superuser URL allowed to create the service's role and database at boot (development). */
  readonly databaseAdminUrl?: string;
  readonly kafkaBrokers?: readonly string[];
  readonly consulUrl?: string;
  readonly consulToken?: string;
}

export interface ServiceConfigDefaults {
  readonly name: string;
  readonly version: string;
  readonly port: number;
}

/**
 * Keys: PORT, HOST, HERD_PORT_FILE, HERD_SERVICE_VERSION, HERD_INSTANCE_ID, <NAME>_DATABASE_URL,
 * HERD_POSTGRES_URL (development: the service's role and database are derived from it and created
 * at boot), HERD_KAFKA_BROKERS, HERD_CONSUL_URL, HERD_CONSUL_TOKEN. With NODE_ENV=production a
 * database, Kafka and Consul are required: no embedded default there. Checked against the
 * `ServiceEnvironment` schema: a ServiceConfigError lists every bad or missing key at once.
 */
export function loadServiceConfig(
  defaults: ServiceConfigDefaults,
  env: NodeJS.ProcessEnv = process.env,
): ServiceConfig {
  const valid = validateServiceEnvironment(defaults.name, env);
  const explicitDatabase = valid.SERVICE_DATABASE_URL;
  const adminUrl = valid.HERD_POSTGRES_URL;
  return {
    name: defaults.name,
    version: valid.HERD_SERVICE_VERSION ?? defaults.version,
    instanceId:
      valid.HERD_INSTANCE_ID ?? `${defaults.name}-${hostname()}-${randomBytes(4).toString('hex')}`,
    host: valid.HOST ?? '0.0.0.0',
    port: valid.PORT === undefined ? defaults.port : Number(valid.PORT),
    portFile: valid.HERD_PORT_FILE,
    databaseUrl:
      explicitDatabase ?? (adminUrl ? derivedServiceUrl(adminUrl, defaults.name) : undefined),
    databaseAdminUrl: explicitDatabase ? undefined : adminUrl,
    kafkaBrokers: valid.HERD_KAFKA_BROKERS?.split(','),
    consulUrl: valid.HERD_CONSUL_URL,
    consulToken: valid.HERD_CONSUL_TOKEN,
  };
}

/** Development convention: role, password and database all named after the service. */
function derivedServiceUrl(adminUrl: string, service: string): string {
  const url = new URL(adminUrl);
  const role = service.replace(/[^a-z0-9_]/gi, '_').toLowerCase();
  url.username = role;
  url.password = role;
  url.pathname = `/${role}`;
  return url.toString();
}
