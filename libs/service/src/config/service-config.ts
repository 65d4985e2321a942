import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { ServiceConfigError } from '../errors/service-config.error';
import { serviceDatabaseUrlKey } from './cluster-env';

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
 * Keys: PORT, HOST, HERD_SERVICE_VERSION, HERD_INSTANCE_ID, <NAME>_DATABASE_URL,
 * HERD_POSTGRES_URL (development: the service's role and database are derived from it and created
 * at boot), HERD_KAFKA_BROKERS, HERD_CONSUL_URL, HERD_CONSUL_TOKEN. With NODE_ENV=production a
 * database, Kafka and Consul are required: no embedded default there.
 */
export function loadServiceConfig(
  defaults: ServiceConfigDefaults,
  env: NodeJS.ProcessEnv = process.env,
): ServiceConfig {
  const databaseKey = serviceDatabaseUrlKey(defaults.name);
  const explicitDatabase = optional(env, databaseKey);
  const adminUrl = optional(env, 'HERD_POSTGRES_URL');
  if (explicitDatabase) parseUrl(databaseKey, explicitDatabase, ['postgres:', 'postgresql:']);
  if (adminUrl) parseUrl('HERD_POSTGRES_URL', adminUrl, ['postgres:', 'postgresql:']);
  const consulUrl = optional(env, 'HERD_CONSUL_URL');
  if (consulUrl) parseUrl('HERD_CONSUL_URL', consulUrl, ['http:', 'https:']);
  const brokers = optional(env, 'HERD_KAFKA_BROKERS')
    ?.split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  for (const broker of brokers ?? []) {
    if (!/^[\w.-]+:\d{1,5}$/.test(broker)) {
      throw new ServiceConfigError('HERD_KAFKA_BROKERS', `"${broker}" is not host:port`);
    }
  }
  const databaseUrl =
    explicitDatabase ?? (adminUrl ? derivedServiceUrl(adminUrl, defaults.name) : undefined);
  if (env.NODE_ENV === 'production') {
    // Embedded defaults lose data and never leave the process: fine for a first run, not here.
    requireInProduction(databaseKey, databaseUrl);
    requireInProduction('HERD_KAFKA_BROKERS', brokers?.length ? brokers : undefined);
    requireInProduction('HERD_CONSUL_URL', consulUrl);
  }
  return {
    name: defaults.name,
    version: optional(env, 'HERD_SERVICE_VERSION') ?? defaults.version,
    instanceId:
      optional(env, 'HERD_INSTANCE_ID') ??
      `${defaults.name}-${hostname()}-${randomBytes(4).toString('hex')}`,
    host: optional(env, 'HOST') ?? '0.0.0.0',
    port: port(env, defaults.port),
    databaseUrl,
    databaseAdminUrl: explicitDatabase ? undefined : adminUrl,
    kafkaBrokers: brokers?.length ? brokers : undefined,
    consulUrl,
    consulToken: optional(env, 'HERD_CONSUL_TOKEN'),
  };
}

function requireInProduction(key: string, value: unknown): void {
  if (value === undefined) {
    throw new ServiceConfigError(
      key,
      'is required when NODE_ENV=production (the embedded default is for development only)',
    );
  }
}

function optional(env: NodeJS.ProcessEnv, key: string): string | undefined {
  const value = env[key]?.trim();
  return value ? value : undefined;
}

function port(env: NodeJS.ProcessEnv, fallback: number): number {
  const raw = optional(env, 'PORT');
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new ServiceConfigError('PORT', `"${raw}" is not a port number (0-65535)`);
  }
  return value;
}

function parseUrl(key: string, value: string, protocols: readonly string[]): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ServiceConfigError(key, 'is not a URL');
  }
  if (!protocols.includes(url.protocol)) {
    throw new ServiceConfigError(key, `must start with ${protocols.join(' or ')}`);
  }
  return url;
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
