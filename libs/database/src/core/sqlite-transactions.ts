import { AsyncLocalStorage } from 'node:async_hooks';
import type { DataSource, EntityManager } from 'typeorm';

type TransactionFn = (...args: unknown[]) => Promise<unknown>;

const turn = new AsyncLocalStorage<EntityManager>();

/**
 * TypeORM runs SQLite on ONE connection: two transactions started concurrently interleave on it
 * and the second BEGIN fails ("cannot start a transaction within a transaction"). Every
 * transaction on this DataSource — `withTransaction`, `dataSource.transaction`, the saga
 * outbox/inbox — therefore takes turns. A transaction opened from inside a turn runs at once
 * (TypeORM makes it a savepoint) instead of waiting for itself.
 */
export function takeTurnsForTransactions(dataSource: DataSource): void {
  const manager = dataSource.manager;
  const original = manager.transaction.bind(manager) as TransactionFn;
  let queue: Promise<unknown> = Promise.resolve();
  const inTurns: TransactionFn = (...args) => {
    if (turn.getStore() === manager) return original(...args);
    const run = () => turn.run(manager, () => original(...args));
    const next = queue.then(run, run);
    queue = next.catch(() => undefined);
    return next;
  };
  manager.transaction = inTurns as EntityManager['transaction'];
}
