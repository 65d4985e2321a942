import { Client } from 'pg';
import { createTestDatabase, dropTestDatabase } from '@herd/testing';

/**
 * What an operator runs once per service: its own role and a fresh database (dropped first only
 * when a test made it or the server is Herd's own throwaway cluster). Returns the service's connection URL.
 */
export async function recreateServiceDatabase(
  adminUrl: string,
  role: string,
  database = role,
): Promise<string> {
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    // Never a database the tests did not create (on a server the user gave Herd, it may be theirs).
    if ((await dropTestDatabase(admin, database)) === 'left alone') {
      throw new Error(`database "${database}" exists and was not created by a test: left alone`);
    }
    const existing = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
    if (!existing.rowCount) await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD '${role}'`);
    await createTestDatabase(admin, database, role);
    await admin.query(`REVOKE ALL ON DATABASE ${database} FROM PUBLIC`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.username = role;
  url.password = role;
  url.pathname = `/${database}`;
  return url.toString();
}
