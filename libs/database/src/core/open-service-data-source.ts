import { DataSource, MigrationExecutor, QueryRunner } from 'typeorm';
import { ADVISORY_LOCK_NAMESPACE, MIGRATION_LOCK_POLL_MS } from '../database.constants';
import { DatabaseNotProvisionedError } from '../errors/database-not-provisioned.error';
import { DatabaseUnreachableError } from '../errors/database-unreachable.error';
import { MigrationLockTimeoutError } from '../errors/migration-lock-timeout.error';
import { assertSelfContained } from '../ownership/ownership-guard';
import { DatabaseLogger, silentDatabaseLogger } from './database-logger';
import { toDataSourceOptions } from './data-source-options';
import { errorCode } from './error-message';
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
      });
    }
    throw error;
  });
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

async function verifyPostgres(
  dataSource: DataSource,
  o: ResolvedPostgresOptions,
  logger: DatabaseLogger,
): Promise<void> {
  const [{ rolsuper }] = await dataSource.query(
    'SELECT rolsuper FROM pg_roles WHERE rolname = current_user',
  );
  if (rolsuper) {
    logger.warn(
      `Service '${o.service}' connects as superuser "${o.role}": ownership is not enforced by ` +
        `the server; give the service its own role`,
    );
  }
  if (o.isolation !== 'schema') return;
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
