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
 * On the SQLite default, transactions of a Herd DataSource take turns (one connection).
 */
export function withTransaction<T>(
  dataSource: DataSource,
  work: (manager: EntityManager) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  return options.isolationLevel
    ? dataSource.transaction(options.isolationLevel, work)
    : dataSource.transaction(work);
}
