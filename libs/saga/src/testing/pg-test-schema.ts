import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource, type EntitySchema } from 'typeorm';
import { SAGA_ENTITIES } from '../saga.entities';

/** A throwaway PostgreSQL schema per test run, so concurrent suites never see each other's rows. */
export class PgTestSchema {
  readonly name = `saga_${randomBytes(5).toString('hex')}`;
  private readonly sources: DataSource[] = [];

  constructor(readonly url: string) {}

  async create(): Promise<void> {
    await this.admin(`CREATE SCHEMA ${this.name}`);
  }

  /** A DataSource on this schema holding the saga tables plus `entities`. */
  async dataSource(
    // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
    entities: (Function | EntitySchema)[] = [],
    poolSize = 10,
    synchronize = false,
  ): Promise<DataSource> {
    const ds = new DataSource({
      type: 'postgres',
      url: this.url,
      schema: this.name,
      entities: [...SAGA_ENTITIES, ...entities],
      synchronize,
      extra: { max: poolSize },
    });
    await ds.initialize();
    this.sources.push(ds);
    return ds;
  }

  /** Creates the tables once (synchronize from several processes at once would race). */
  async synchronize(
    // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
    entities: (Function | EntitySchema)[] = [],
  ): Promise<void> {
    const ds = await this.dataSource(entities, 1, true);
    await ds.destroy();
  }

  async drop(): Promise<void> {
    await Promise.all(this.sources.filter((s) => s.isInitialized).map((s) => s.destroy()));
    await this.admin(`DROP SCHEMA IF EXISTS ${this.name} CASCADE`);
  }

  private async admin(sql: string): Promise<void> {
    const client = new Client({ connectionString: this.url });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  }
}
