import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { herdInfraEnv } from '@herd/testing';
import { SAGA_ENTITIES } from '../saga.entities';
import { SAGA_MIGRATIONS } from '.';
import { SagaSchema1764201600000 } from './1764201600000-saga-schema';

/** The migrations and the entities must describe the same tables, or a deploy breaks at runtime. */
describe('saga migrations (real PostgreSQL)', () => {
  const adminUrl = herdInfraEnv().postgresUrl;
  const databases: string[] = [];
  let admin: DataSource;

  beforeAll(async () => {
    admin = await new DataSource({ type: 'postgres', url: adminUrl }).initialize();
  });

  afterAll(async () => {
    for (const database of databases) {
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    }
    await admin.destroy();
  });

  async function freshDatabase(migrations: (typeof SAGA_MIGRATIONS)[number][], reuse?: string) {
    const database = reuse ?? `herd_saga_schema_${randomUUID().slice(0, 8)}`;
    if (!reuse) {
      databases.push(database);
      await admin.query(`CREATE DATABASE ${database}`);
    }
    const url = new URL(adminUrl);
    url.pathname = `/${database}`;
    return new DataSource({
      type: 'postgres',
      url: url.toString(),
      entities: SAGA_ENTITIES,
      migrations,
    }).initialize();
  }

  it('creates exactly the tables the entities map, and drops them again', async () => {
    const dataSource = await freshDatabase(SAGA_MIGRATIONS);
    try {
      expect((await dataSource.runMigrations()).map((m) => m.name)).toEqual(
        SAGA_MIGRATIONS.map((m) => m.name),
      );
      const pending = await dataSource.driver.createSchemaBuilder().log();
      expect(pending.upQueries.map((q) => q.query)).toEqual([]);

      for (const _ of SAGA_MIGRATIONS) await dataSource.undoLastMigration();
      const tables = await dataSource.query(
        "SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'herd_saga_%'",
      );
      expect(tables).toEqual([]);
    } finally {
      await dataSource.destroy();
    }
  });

  it('moves an existing 32-bit outbox to 64-bit ids, keeping its rows', async () => {
    let dataSource = await freshDatabase([SagaSchema1764201600000]);
    const insert = (key: string) =>
      dataSource.query(
        `INSERT INTO herd_saga_outbox (topic, message_key, message_id, headers, value, created_at)
         VALUES ('t', $1, $1, '{}', 'v', 0) RETURNING id`,
        [key],
      );
    try {
      await dataSource.runMigrations();
      const [before] = await insert('before');
      // The old table's sequence stops at 2^31 - 1.
      await dataSource.query(`SELECT setval('herd_saga_outbox_id_seq', 2147483647)`);
      await expect(insert('too-far')).rejects.toThrow('reached maximum value');

      await dataSource.destroy();
      dataSource = await freshDatabase(SAGA_MIGRATIONS, databases.at(-1));
      expect((await dataSource.runMigrations()).map((m) => m.name)).toEqual(
        SAGA_MIGRATIONS.slice(1).map((m) => m.name),
      );
      const [after] = await insert('after');
      expect(Number(after.id)).toBe(2 ** 31);
      const rows: { id: string; message_key: string }[] = await dataSource.query(
        'SELECT id, message_key FROM herd_saga_outbox ORDER BY id',
      );
      expect(rows.map((r) => [Number(r.id), r.message_key])).toEqual([
        [Number(before.id), 'before'],
        [2 ** 31, 'after'],
      ]);
    } finally {
      await dataSource.destroy();
    }
  });
});
