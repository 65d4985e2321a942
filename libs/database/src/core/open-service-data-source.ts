import { DataSource, MigrationExecutor, QueryRunner } from 'typeorm';
import { ADVISORY_LOCK_NAMESPACE, MIGRATION_LOCK_POLL_MS } from '../database.constants';
import { DatabaseNotProvisionedError } from '../errors/database-not-provisioned.error';
import { DatabaseOwnershipError } from '../errors/database-ownership.error';
import { DatabaseUnreachableError } from '../errors/database-unreachable.error';
import { MigrationLockTimeoutError } from '../errors/migration-lock-timeout.error';
import { assertSelfContained } from '../ownership/ownership-guard';
import { DatabaseLogger, silentDatabaseLogger } from './database-logger';
import { toDataSourceOptions } from './data-source-options';
import { errorCode } from './error-message';
import { namePermissionDenied } from './permission-denied';
import { quoteIdent } from './sql';
import { provisioningStatements, provisionPostgres } from './provisioning';
import { describeTarget } from './resolve-options';
import type {
  ResolvedDatabaseOptions,
  ResolvedPostgresOptions,
  ResolvedSqliteOptions,
} from './resolved-options';
import { retryTransient, sleep } from './retry';
import { takeTurnsForTransactions } from './sqlite-transactions';

// invalid_catalog_name, invalid_password, invalid_authorization_specification
const NOT_PROVISIONED_CODES = new Set(['3D000', '28P01', '28000']);

/**
 * Boots a service's database: ownership guard, provisioning (when allowed), bounded connect
 * retry, then migrations / synchronize under a lock. Returns an initialized DataSource; the
 * caller owns it and must destroy() it.
 */
export async function openServiceDataSource(
  o: ResolvedDatabaseOptions,
  logger: DatabaseLogger = silentDatabaseLogger,
): Promise<DataSource> {
  assertSelfContained({
    service: o.service,
    entities: o.entities,
    schema: o.driver === 'postgres' ? o.schema : undefined,
  });
  return o.driver === 'sqlite' ? openSqlite(o, logger) : openPostgres(o, logger);
}

async function openSqlite(o: ResolvedSqliteOptions, logger: DatabaseLogger): Promise<DataSource> {
  const dataSource = await new DataSource(toDataSourceOptions(o)).initialize();
  takeTurnsForTransactions(dataSource);
  try {
    // A single process owns the file, so there is no peer to serialise with.
    await migrate(dataSource, o, logger);
    return dataSource;
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
}

async function openPostgres(
  o: ResolvedPostgresOptions,
  logger: DatabaseLogger,
): Promise<DataSource> {
  await provisionPostgres(o, logger);
  const target = describeTarget(o);
  const dataSource = await retryTransient(
    {
      attempts: o.connectAttempts,
      delayMs: o.connectDelayMs,
      onRetry: (error, attempt) =>
        logger.warn(
          `Database ${target} for service '${o.service}' not reachable (attempt ${attempt}/${o.connectAttempts}): ${String(error)}`,
        ),
    },
    () => new DataSource(toDataSourceOptions(o)).initialize(),
    (error, attempts) =>
      new DatabaseUnreachableError(o.service, target, attempts, { cause: error }),
  ).catch((error: unknown) => {
    const code = errorCode(error);
    if (code !== undefined && NOT_PROVISIONED_CODES.has(code)) {
      const problem =
        code === '3D000'
          ? `database "${o.database}" does not exist`
          : `role "${o.role}" cannot log in (missing, or wrong password)`;
      throw new DatabaseNotProvisionedError(o.service, problem, provisioningStatements(o), {
        cause: error,
        adminSetting: o.settingNames.adminUrl,
      });
    }
    throw error;
  });
  namePermissionDenied(dataSource, o.service);
  try {
    await verifyPostgres(dataSource, o, logger);
    await withMigrationLock(dataSource, o, async (runner) => {
      // A migration may legitimately run for minutes (index builds): the service's
      // statement_timeout is lifted on the migrating session only, and restored after.
      await runner.query('SET statement_timeout = 0');
      try {
        await migrate(dataSource, o, logger, runner);
      } finally {
        await runner.query(`SET statement_timeout = ${o.statementTimeoutMs}`);
      }
    });
    return dataSource;
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
}

/**
 * The server-side half of "one database per service": in production the role must not be a
 * superuser, must own its database (or schema), and PUBLIC must not reach it; anything else is
 * fatal there (DatabaseOwnershipError naming the setting to change) and a warning elsewhere.
 */
async function verifyPostgres(
  dataSource: DataSource,
  o: ResolvedPostgresOptions,
  logger: DatabaseLogger,
): Promise<void> {
  if (o.isolation === 'schema') await verifySchema(dataSource, o);
  const [facts] = (await dataSource.query(
    `SELECT r.rolsuper AS superuser,
            pg_get_userbyid(d.datdba) AS database_owner,
            has_database_privilege('public', d.oid, 'CONNECT') AS public_connects,
            (SELECT pg_get_userbyid(n.nspowner) FROM pg_namespace n WHERE n.nspname = $1) AS schema_owner,
            (SELECT has_schema_privilege('public', n.oid, 'USAGE') FROM pg_namespace n WHERE n.nspname = $1) AS public_uses
       FROM pg_roles r, pg_database d
      WHERE r.rolname = current_user AND d.datname = current_database()`,
    [o.schema ?? ''],
  )) as {
    superuser: boolean;
    database_owner: string;
    public_connects: boolean;
    schema_owner: string | null;
    public_uses: boolean | null;
  }[];
  const problems: string[] = [];
  const fix: string[] = [];
  const role = quoteIdent(o.role);
  if (facts.superuser) problems.push(`role "${o.role}" is a superuser`);
  if (o.isolation === 'database') {
    const db = quoteIdent(o.database);
    if (facts.database_owner !== o.role) {
      problems.push(
        `database "${o.database}" is owned by "${facts.database_owner}", not "${o.role}"`,
      );
      fix.push(`ALTER DATABASE ${db} OWNER TO ${role};`);
    }
    if (facts.public_connects) {
      problems.push(`PUBLIC can connect to database "${o.database}"`);
      fix.push(`REVOKE CONNECT ON DATABASE ${db} FROM PUBLIC;`);
    }
  } else {
    const schema = quoteIdent(o.schema as string);
    if (facts.schema_owner !== o.role) {
      problems.push(`schema "${o.schema}" is owned by "${facts.schema_owner}", not "${o.role}"`);
      fix.push(`ALTER SCHEMA ${schema} OWNER TO ${role};`);
    }
    if (facts.public_uses) {
      problems.push(`PUBLIC can use schema "${o.schema}"`);
      fix.push(`REVOKE ALL ON SCHEMA ${schema} FROM PUBLIC;`);
    }
  }
  if (problems.length === 0) return;
  if (o.production) throw new DatabaseOwnershipError(o.service, problems, o.settingNames.url, fix);
  logger.warn(
    `Service '${o.service}' does not own its data alone (${problems.join('; ')}): ` +
      `NODE_ENV=production refuses this; give the service its own role`,
  );
}

async function verifySchema(dataSource: DataSource, o: ResolvedPostgresOptions): Promise<void> {
  const schema = o.schema as string;
  const [row] = await dataSource.query(
    `SELECT n.nspname, has_schema_privilege(current_user, n.oid, 'CREATE') AS can_create
       FROM pg_namespace n WHERE n.nspname = $1`,
    [schema],
  );
  if (!row || !row.can_create) {
    throw new DatabaseNotProvisionedError(
      o.service,
      row
        ? `role "${o.role}" cannot create tables in schema "${schema}"`
        : `schema "${schema}" does not exist in database "${o.database}"`,
      provisioningStatements(o).slice(1),
      { adminSetting: o.settingNames.adminUrl },
    );
  }
}

/**
 * Session-level advisory lock on a pinned connection: peers booting at the same time wait here,
 * then find the migrations already recorded and run none. Polling with try-lock keeps the wait
 * bounded without relying on lock_timeout.
 */
async function withMigrationLock<T>(
  dataSource: DataSource,
  o: ResolvedPostgresOptions,
  work: (runner: QueryRunner) => Promise<T>,
): Promise<T> {
  const key = `herd:migrations:${o.database}:${o.schema ?? 'public'}`;
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  const started = Date.now();
  try {
    for (;;) {
      const [{ locked }] = await runner.query(
        'SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked',
        [ADVISORY_LOCK_NAMESPACE, key],
      );
      if (locked) break;
      if (Date.now() - started >= o.migrationLockTimeoutMs) {
        throw new MigrationLockTimeoutError(o.service, Date.now() - started);
      }
      await sleep(MIGRATION_LOCK_POLL_MS);
    }
    try {
      return await work(runner);
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1, hashtext($2))', [
        ADVISORY_LOCK_NAMESPACE,
        key,
      ]);
    }
  } finally {
    await runner.release();
  }
}

async function migrate(
  dataSource: DataSource,
  o: ResolvedDatabaseOptions,
  logger: DatabaseLogger,
  runner?: QueryRunner,
): Promise<void> {
  if (o.migrationsRun && o.migrations.length > 0) {
    const executor = new MigrationExecutor(dataSource, runner);
    executor.transaction = 'each';
    const executed = await executor.executePendingMigrations();
    if (executed.length > 0) {
      logger.log(
        `Service '${o.service}' ran ${executed.length} migration(s): ${executed.map((m) => m.name).join(', ')}`,
      );
    }
  }
  if (o.synchronize) await dataSource.synchronize();
}
