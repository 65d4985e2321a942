import type { DataSource, EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

/** One parameterised statement, numbered from `$1`. */
export interface SqlStatement {
  readonly sql: string;
  readonly params: readonly unknown[];
}

/** The tail of each SQLite DataSource's transaction queue. */
const sqliteQueues = new WeakMap<DataSource, Promise<unknown>>();

/**
 * The few raw statements on the hot path (outbox relay, inbox) differ between PostgreSQL and the
 * SQLite used for embedded/unit runs; this keeps the difference in one place.
 */
export class SqlDialect {
  readonly postgres: boolean;

  constructor(private readonly dataSource: DataSource) {
    this.postgres = dataSource.options.type === 'postgres';
  }

  /**
   * `dataSource.transaction(work)`, one at a time on SQLite: its single connection is shared, so
   * two transactions begun from interleaved async chains would nest into each other.
   */
  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (this.postgres) return this.dataSource.transaction(work);
    const previous = sqliteQueues.get(this.dataSource) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.dataSource.transaction(work));
    sqliteQueues.set(this.dataSource, next);
    return next;
  }

  param(index: number): string {
    return this.postgres ? `$${index}` : '?';
  }

  params(count: number, from = 1): string {
    return Array.from({ length: count }, (_, i) => this.param(from + i)).join(', ');
  }

  table(entity: EntityTarget<ObjectLiteral>): string {
    const { tablePath } = this.dataSource.getMetadata(entity);
    return tablePath
      .split('.')
      .map((part) => this.dataSource.driver.escape(part))
      .join('.');
  }

  tablePath(entity: EntityTarget<ObjectLiteral>): string {
    return this.dataSource.getMetadata(entity).tablePath;
  }
}
