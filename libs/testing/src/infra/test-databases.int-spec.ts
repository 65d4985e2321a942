import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { herdInfraEnv } from './infra-env';
import { createTestDatabase, dropTestDatabase } from './test-databases';

async function connect(url: string): Promise<Client> {
  const client = new Client({ connectionString: url });
  await client.connect();
  return client;
}

describe('dropTestDatabase (real PostgreSQL)', () => {
  const run = randomBytes(4).toString('hex');
  const outsider = `herd_outsider_${run}`;
  const users = `herd_users_db_${run}`;
  const made = `herd_made_by_test_${run}`;
  let admin: Client;

  beforeAll(async () => {
    admin = await connect(herdInfraEnv().postgresUrl);
    // A role like the admin of a server the user pointed Herd at: not Herd's cluster superuser.
    await admin.query(`CREATE ROLE ${outsider} LOGIN CREATEDB PASSWORD '${outsider}'`);
    await admin.query(`CREATE DATABASE ${users} OWNER ${outsider}`);
  });

  afterAll(async () => {
    for (const name of [users, made]) await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.query(`DROP ROLE IF EXISTS ${outsider}`);
    await admin.end();
  });

  it("on a server given to Herd, drops only the databases a test created, never the user's", async () => {
    const url = new URL(herdInfraEnv().postgresUrl);
    url.username = outsider;
    url.password = outsider;
    url.pathname = '/postgres';
    const external = await connect(url.toString());
    try {
      await createTestDatabase(external, made);
      expect(await dropTestDatabase(external, users)).toBe('left alone');
      expect(await dropTestDatabase(external, made)).toBe('dropped');
      expect(await dropTestDatabase(external, made)).toBe('absent');
    } finally {
      await external.end();
    }
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [users]);
    expect(rowCount).toBe(1);
  });

  it("on Herd's own throwaway cluster, may drop any database", async () => {
    expect(await dropTestDatabase(admin, users)).toBe('dropped');
  });
});
