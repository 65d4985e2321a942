import type { MigrationInterface } from 'typeorm';

/** An entity class owned by the service (EntitySchema and glob strings are not supported). */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export type EntityClass = Function;

export type MigrationClass = new () => MigrationInterface;

/**
 * How a service's data is kept apart from other services' on a PostgreSQL server:
 * - `database`: its own database, owned by its own role, CONNECT revoked from PUBLIC.
 * - `schema`: its own schema (in a shared database), owned by its own role; no other role has
 *   USAGE on it.
 */
export type DatabaseIsolation = 'database' | 'schema';

export interface DatabaseProvisionOptions {
  /**
   * A superuser (or CREATEROLE + CREATEDB) connection used only at boot to create the service's
   * role, database or schema when they are missing. Development only: in production leave
   * `provision` unset and boot fails with the SQL to run.
   */
  adminUrl: string;
}

export interface DatabaseConnectRetryOptions {
  /** Connection attempts before boot fails with DatabaseUnreachableError. Default 10. */
  attempts?: number;
  /** Pause between attempts. Default 1000 ms. */
  delayMs?: number;
}

export interface DatabaseServiceOptions {
  /**
   * `postgres://<role>:<password>@<host>:<port>/<database>`: the service's OWN role. Unset (or
   * empty) = embedded SQLite (better-sqlite3), for first runs and unit tests.
   */
  url?: string;
  /** Default `database`. Ignored on SQLite. */
  isolation?: DatabaseIsolation;
  /** Schema isolation only: the schema name. Default: the role name from `url`. */
  schema?: string;
  /** Create what is missing at boot. Default unset: verify only. */
  provision?: DatabaseProvisionOptions;
  /** Every entity class this service owns; the ownership guard checks exactly this set. */
  entities: EntityClass[];
  /** TypeORM migration classes, run at boot under an advisory lock. Default none. */
  migrations?: MigrationClass[];
  /** Run pending migrations at boot. Default true. */
  migrationsRun?: boolean;
  /** Create tables from entities at boot (tests only, never production). Default false. */
  synchronize?: boolean;
  /** PostgreSQL pool size, at least 2 (the migration lock pins one connection). Default 10. */
  poolSize?: number;
  /** PostgreSQL statement_timeout for every connection. Default 30000 ms; 0 disables. */
  statementTimeoutMs?: number;
  /** TCP connect timeout of one attempt. Default 5000 ms. */
  connectTimeoutMs?: number;
  /** Bounded retry until the server accepts connections at boot. */
  connectRetry?: DatabaseConnectRetryOptions;
  /** Longest wait for another instance's migration run. Default 120000 ms. */
  migrationLockTimeoutMs?: number;
  /** SQLite file when `url` is unset. Default `:memory:` (gone at shutdown). */
  sqlitePath?: string;
  /** TypeORM query logging. Default false. */
  logging?: boolean;
  /**
   * What the user sets for `url` and `provision.adminUrl` (environment keys such as
   * `COURSEWARE_DATABASE_URL`, `HERD_POSTGRES_URL`): errors name these instead of the options.
   */
  settingNames?: { url?: string; adminUrl?: string };
}
