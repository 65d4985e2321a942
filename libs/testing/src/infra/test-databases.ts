import { Client } from 'pg';

/** Comment on every database a test creates: the only databases a test may drop elsewhere. */
export const TEST_DATABASE_COMMENT = 'created by a Herd test';
/** Comment on the superuser of the cluster `npm run infra -- up` runs: a throwaway cluster. */
export const HERD_CLUSTER_COMMENT = 'Herd development cluster (npm run infra), throwaway';

export type DropOutcome = 'dropped' | 'absent' | 'left alone';

function quote(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Marks the connected role as the superuser of Herd's own throwaway cluster. */
export async function claimHerdCluster(admin: Client): Promise<void> {
  const { rows } = await admin.query<{ role: string }>('SELECT current_user AS role');
  await admin.query(`COMMENT ON ROLE ${quote(rows[0]?.role ?? '')} IS '${HERD_CLUSTER_COMMENT}'`);
}

/** Creates a database marked as the tests' own (owned by `owner` when given). */
export async function createTestDatabase(
  admin: Client,
  name: string,
  owner?: string,
): Promise<void> {
  await admin.query(`CREATE DATABASE ${quote(name)}${owner ? ` OWNER ${quote(owner)}` : ''}`);
  await markTestDatabase(admin, name);
}

/** Marks a database made otherwise (by a service's own provisioning) as the tests' own. */
export async function markTestDatabase(admin: Client, name: string): Promise<void> {
  await admin.query(`COMMENT ON DATABASE ${quote(name)} IS '${TEST_DATABASE_COMMENT}'`);
}

/**
 * Drops a database only when a test may: it was made by `createTestDatabase`, or the server is
 * Herd's own throwaway cluster. On a server the user pointed Herd at (`HERD_POSTGRES_URL`), any
 * other database is left alone, whatever its name: it may be the user's `courseware`.
 */
export async function dropTestDatabase(admin: Client, name: string): Promise<DropOutcome> {
  const { rows } = await admin.query<{ database: string | null; cluster: string | null }>(
    `SELECT (SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1) AS database,
            (SELECT shobj_description(oid, 'pg_authid') FROM pg_roles WHERE rolname = current_user) AS cluster,
            EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS present`,
    [name],
  );
  const row = rows[0] as { database: string | null; cluster: string | null; present?: boolean };
  if (!row.present) return 'absent';
  if (row.database !== TEST_DATABASE_COMMENT && row.cluster !== HERD_CLUSTER_COMMENT) {
    return 'left alone';
  }
  await admin.query(`DROP DATABASE ${quote(name)} WITH (FORCE)`);
  return 'dropped';
}
