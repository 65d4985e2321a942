import type { DataSource, EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

/** One parameterised statement, numbered from `$1`. */
export interface SqlStatement {
  readonly sql: string;
  readonly params: readonly unknown[];
}

/** Parameter lists ending at most here are kept: a few rows per statement, as on the hot path. */
const MAX_KEPT_PARAM = 100;

/** The tail of each SQLite DataSource's transaction queue. */
const sqliteQueues = new WeakMap<DataSource, Promise<unknown>>();

/**
 * The few raw statements on the hot path (outbox relay, inbox) differ between PostgreSQL and the
 * SQLite used for embedded/unit runs; this keeps the difference in one place.
 */
export class SqlDialect {
  readonly postgres: boolean;
  /** Quoted table names: asked for on every message. */
  private readonly tables = new Map<EntityTarget<ObjectLiteral>, string>();
  private readonly paramLists = new Map<string, string>();

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

  /** `$from, ..., $(from + count - 1)`; the lists of the hot path's statements are kept. */
  params(count: number, from = 1): string {
    const key = `${count}:${from}`;
    let list = this.paramLists.get(key);
    if (list === undefined) {
      list = Array.from({ length: count }, (_, i) => this.param(from + i)).join(', ');
      if (from + count <= MAX_KEPT_PARAM) this.paramLists.set(key, list);
    }
    return list;
  }

  table(entity: EntityTarget<ObjectLiteral>): string {
    let table = this.tables.get(entity);
    if (table === undefined) {
      table = this.tablePath(entity)
        .split('.')
        .map((part) => this.dataSource.driver.escape(part))
        .join('.');
      this.tables.set(entity, table);
    }
    return table;
  }

  tablePath(entity: EntityTarget<ObjectLiteral>): string {
    return this.dataSource.getMetadata(entity).tablePath;
  }
}
