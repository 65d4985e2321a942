import { DatabaseLogger, silentDatabaseLogger } from './database-logger';
import { provisionPostgres } from './provisioning';
import { resolveDatabaseOptions } from './resolve-options';
import type { ResolvedPostgresOptions } from './resolved-options';

export interface ServiceDatabaseTarget {
  /** The service's role (PostgreSQL user), made with `password` when missing. */
  readonly role: string;
  readonly password: string;
  /** Default: the role's name. */
  readonly database?: string;
}

export interface ProvisionedServiceDatabase {
  /** The service's own connection URL: the admin URL's server, the service's role and database. */
  readonly url: string;
  /** What this call created, e.g. ['role orders', 'database orders']. Empty when all existed. */
  readonly created: string[];
}

/**
 * A service's own role and database on the server of `adminUrl`, made when missing, exactly as a
 * service's boot does with `provision.adminUrl`: for tools that set a herd up before its services
 * boot (the `herd` CLI's ranch, test harnesses). The password never reaches a log line or an error.
 */
export async function provisionServiceDatabase(
  adminUrl: string,
  target: ServiceDatabaseTarget,
  logger: DatabaseLogger = silentDatabaseLogger,
): Promise<ProvisionedServiceDatabase> {
  const url = new URL(adminUrl);
  url.username = target.role;
  url.password = target.password;
  url.pathname = `/${target.database ?? target.role}`;
  // The caller asked for provisioning explicitly: NODE_ENV, which forbids it at a service's boot,
  // does not apply to a tool run once by an operator.
  // A non-empty URL always resolves to PostgreSQL options.
  const options = resolveDatabaseOptions(
    target.role,
    { url: url.toString(), provision: { adminUrl }, entities: [] },
    {},
  ) as ResolvedPostgresOptions;
  const { created } = await provisionPostgres(options, logger);
  return { url: url.toString(), created };
}
