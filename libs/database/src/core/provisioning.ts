import { Client } from 'pg';
import { ADVISORY_LOCK_NAMESPACE } from '../database.constants';
import { DatabaseUnreachableError } from '../errors/database-unreachable.error';
import type { DatabaseLogger } from './database-logger';
import { describeTarget } from './resolve-options';
import type { ResolvedPostgresOptions } from './resolved-options';
import { retryTransient } from './retry';
import { quoteIdent, quoteLiteral } from './sql';

const PASSWORD_PLACEHOLDER = '<password from the service url>';

/**
 * The SQL that gives a service its own role and database (or schema). With `password` unset the
 * statements carry a placeholder, so they can go into error messages and logs.
 */
export function provisioningStatements(o: ResolvedPostgresOptions, password?: string): string[] {
  const role = quoteIdent(o.role);
  const db = quoteIdent(o.database);
  const secret = password === undefined ? `'${PASSWORD_PLACEHOLDER}'` : quoteLiteral(password);
  const createRole = `CREATE ROLE ${role} LOGIN PASSWORD ${secret};`;
  if (o.isolation === 'schema') {
    return [
      createRole,
      `GRANT CONNECT ON DATABASE ${db} TO ${role};`,
      `CREATE SCHEMA ${quoteIdent(o.schema as string)} AUTHORIZATION ${role};`,
    ];
  }
  return [
    createRole,
    `CREATE DATABASE ${db} OWNER ${role};`,
    `REVOKE ALL ON DATABASE ${db} FROM PUBLIC;`,
  ];
}

export interface ProvisionResult {
  /** What this boot created, e.g. ['role orders', 'database orders']. Empty when all existed. */
  readonly created: string[];
}

/**
 * Creates the role, database or schema that are missing, through the admin connection.
 * Concurrent first boots serialise on an advisory lock so only one of them creates anything.
 */
export async function provisionPostgres(
  o: ResolvedPostgresOptions,
  logger: DatabaseLogger,
): Promise<ProvisionResult> {
  if (!o.adminUrl) return { created: [] };
  const adminUrl = o.adminUrl;
  const created: string[] = [];
  const password = decodeURIComponent(new URL(o.url).password);
  const admin = await connectAdmin(o, adminUrl, logger);
  try {
    // Held until every object exists, so concurrent first boots create each one once and never
    // race on catalog updates ("tuple concurrently updated").
    await admin.query('SELECT pg_advisory_lock($1, hashtext($2))', [
      ADVISORY_LOCK_NAMESPACE,
      'herd:provision',
    ]);
    const role = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [o.role]);
    if (role.rowCount === 0) {
      await admin.query(
        `CREATE ROLE ${quoteIdent(o.role)} LOGIN PASSWORD ${quoteLiteral(password)}`,
      );
      created.push(`role ${o.role}`);
    }
    const db = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [o.database]);
    if (db.rowCount === 0) {
      if (o.isolation === 'database') {
        await admin.query(`CREATE DATABASE ${quoteIdent(o.database)} OWNER ${quoteIdent(o.role)}`);
        await admin.query(`REVOKE ALL ON DATABASE ${quoteIdent(o.database)} FROM PUBLIC`);
      } else {
        await admin.query(`CREATE DATABASE ${quoteIdent(o.database)}`);
      }
      created.push(`database ${o.database}`);
    }
    if (o.isolation === 'schema') {
      created.push(...(await provisionSchema(o, adminUrl, logger)));
    }
  } finally {
    await admin.end();
  }
  if (created.length > 0) {
    logger.log(`Provisioned for service '${o.service}': ${created.join(', ')}`);
  }
  return { created };
}

async function provisionSchema(
  o: ResolvedPostgresOptions,
  adminUrl: string,
  logger: DatabaseLogger,
): Promise<string[]> {
  // The schema lives in the service database, which the admin URL may not point at.
  const inDatabase = new URL(adminUrl);
  inDatabase.pathname = `/${o.database}`;
  const client = await connectAdmin(o, inDatabase.toString(), logger);
  const created: string[] = [];
  try {
    const [{ can_connect }] = (
      await client.query(`SELECT has_database_privilege($1, $2, 'CONNECT') AS can_connect`, [
        o.role,
        o.database,
      ])
    ).rows;
    if (!can_connect) {
      await client.query(
        `GRANT CONNECT ON DATABASE ${quoteIdent(o.database)} TO ${quoteIdent(o.role)}`,
      );
    }
    const schema = o.schema as string;
    const found = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    if (found.rowCount === 0) {
      await client.query(`CREATE SCHEMA ${quoteIdent(schema)} AUTHORIZATION ${quoteIdent(o.role)}`);
      created.push(`schema ${o.database}.${schema}`);
    }
  } finally {
    await client.end();
  }
  return created;
}

async function connectAdmin(
  o: ResolvedPostgresOptions,
  url: string,
  logger: DatabaseLogger,
): Promise<Client> {
  const parsed = new URL(url);
  const target = describeTarget({
    host: parsed.hostname,
    port: Number(parsed.port || 5432),
    database: parsed.pathname.slice(1),
  });
  return retryTransient(
    {
      attempts: o.connectAttempts,
      delayMs: o.connectDelayMs,
      onRetry: (error, attempt) =>
        logger.warn(`Admin connection to ${target} failed (attempt ${attempt}): ${String(error)}`),
    },
    async () => {
      const client = new Client({
        connectionString: url,
        connectionTimeoutMillis: o.connectTimeoutMs,
      });
      try {
        await client.connect();
        return client;
      } catch (error) {
        await client.end().catch(() => undefined);
        throw error;
      }
    },
    (error, attempts) =>
      new DatabaseUnreachableError(o.service, target, attempts, { cause: error }),
  );
}
