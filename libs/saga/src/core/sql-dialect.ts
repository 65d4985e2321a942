import type { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';

/**
 * The few raw statements on the hot path (outbox relay, inbox) differ between PostgreSQL and the
 * SQLite used for embedded/unit runs; this keeps the difference in one place.
 */
export class SqlDialect {
  readonly postgres: boolean;

  constructor(private readonly dataSource: DataSource) {
    this.postgres = dataSource.options.type === 'postgres';
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
