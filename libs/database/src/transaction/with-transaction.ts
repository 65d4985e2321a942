import type { DataSource, EntityManager } from 'typeorm';

export type TransactionIsolationLevel =
  'READ UNCOMMITTED' | 'READ COMMITTED' | 'REPEATABLE READ' | 'SERIALIZABLE';

export interface TransactionOptions {
  /** Default: the server's (READ COMMITTED on PostgreSQL). */
  readonly isolationLevel?: TransactionIsolationLevel;
}

/**
 * The seam for atomic "business change + messages": everything `work` does through `manager`
 * commits or rolls back together (the saga outbox/inbox write through the same manager).
 * Never use a repository from the DataSource inside `work`: it runs outside the transaction.
 */
export function withTransaction<T>(
  dataSource: DataSource,
  work: (manager: EntityManager) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  const run = () =>
    options.isolationLevel
      ? dataSource.transaction(options.isolationLevel, work)
      : dataSource.transaction(work);
  return SINGLE_CONNECTION_DRIVERS.has(dataSource.options.type)
    ? serialised(dataSource, run)
    : run();
}

// TypeORM runs SQLite on one connection, where a second BEGIN fails with "cannot start a
// transaction within a transaction": transactions on such a data source take turns.
const SINGLE_CONNECTION_DRIVERS = new Set<string>(['better-sqlite3', 'sqlite']);
const queues = new WeakMap<DataSource, Promise<unknown>>();

function serialised<T>(dataSource: DataSource, run: () => Promise<T>): Promise<T> {
  const previous = queues.get(dataSource) ?? Promise.resolve();
  const next = previous.then(run, run);
  queues.set(
    dataSource,
    next.catch(() => undefined),
  );
  return next;
}
