import { Client } from 'pg';
import { provisionServiceDatabase } from '@herd/database';
import { dropTestDatabase, markTestDatabase } from '@herd/testing';

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
    const { url } = await provisionServiceDatabase(adminUrl, { role, password: role, database });
    await markTestDatabase(admin, database);
    return url;
  } finally {
    await admin.end();
  }
}
