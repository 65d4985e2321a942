import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { herdInfraEnv } from '@herd/testing';
import { SAGA_ENTITIES } from '../saga.entities';
import { SagaSchema1764201600000 } from './1764201600000-saga-schema';

/** The migration and the entities must describe the same tables, or a deploy breaks at runtime. */
describe('SagaSchema migration (real PostgreSQL)', () => {
  const database = `herd_saga_schema_${randomUUID().slice(0, 8)}`;
  const adminUrl = herdInfraEnv().postgresUrl;
  let admin: DataSource;

  beforeAll(async () => {
    admin = await new DataSource({ type: 'postgres', url: adminUrl }).initialize();
    await admin.query(`CREATE DATABASE ${database}`);
  });

  afterAll(async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.destroy();
  });

  it('creates exactly the tables the entities map, and drops them again', async () => {
    const url = new URL(adminUrl);
    url.pathname = `/${database}`;
    const dataSource = await new DataSource({
      type: 'postgres',
      url: url.toString(),
      entities: SAGA_ENTITIES,
      migrations: [SagaSchema1764201600000],
    }).initialize();
    try {
      expect((await dataSource.runMigrations()).map((m) => m.name)).toEqual([
        'SagaSchema1764201600000',
      ]);
      const pending = await dataSource.driver.createSchemaBuilder().log();
      expect(pending.upQueries.map((q) => q.query)).toEqual([]);

      await dataSource.undoLastMigration();
      const tables = await dataSource.query(
        "SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'herd_saga_%'",
      );
      expect(tables).toEqual([]);
    } finally {
      await dataSource.destroy();
    }
  });
});
