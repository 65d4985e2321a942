import type { DataSource, QueryRunner } from 'typeorm';
import { CrossServiceAccessError } from '../errors/cross-service-access.error';

/** SQLSTATE insufficient_privilege. */
export const PERMISSION_DENIED = '42501';
const OBJECT = /permission denied for (table|schema|database|sequence|relation|view) "?([^"\s]+)"?/;

/**
 * Every statement of this DataSource that PostgreSQL refuses with 42501 becomes a
 * CrossServiceAccessError naming this service, the object it touched and that object's owning
 * role (looked up on another pooled connection: the failed one may sit in an aborted transaction).
 */
export function namePermissionDenied(dataSource: DataSource, service: string): void {
  const create = dataSource.createQueryRunner.bind(dataSource);
  dataSource.createQueryRunner = (...args: Parameters<DataSource['createQueryRunner']>) => {
    const runner: QueryRunner = create(...args);
    const query = runner.query.bind(runner) as (...inner: unknown[]) => Promise<unknown>;
    runner.query = (async (...inner: unknown[]) => {
      try {
        return await query(...inner);
      } catch (error) {
        throw await crossServiceAccess(dataSource, service, error);
      }
    }) as QueryRunner['query'];
    return runner;
  };
}

async function crossServiceAccess(
  dataSource: DataSource,
  service: string,
  error: unknown,
): Promise<unknown> {
  const driverError = (error as { driverError?: { code?: string; message?: string } }).driverError;
  if (driverError?.code !== PERMISSION_DENIED) return error;
  const match = OBJECT.exec(driverError.message ?? '');
  if (!match) return new CrossServiceAccessError(service, 'an object', undefined, { cause: error });
  const [, kind, name] = match as unknown as [string, string, string];
  const owner = await ownerOf(dataSource, kind, name).catch(() => undefined);
  return new CrossServiceAccessError(service, `${kind} "${name}"`, owner, { cause: error });
}

async function ownerOf(
  dataSource: DataSource,
  kind: string,
  name: string,
): Promise<string | undefined> {
  const sql =
    kind === 'schema'
      ? 'SELECT pg_get_userbyid(nspowner) AS owner FROM pg_namespace WHERE nspname = $1'
      : kind === 'database'
        ? 'SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1'
        : `SELECT pg_get_userbyid(relowner) AS owner FROM pg_class WHERE relname = $1 LIMIT 1`;
  const rows = (await dataSource.query(sql, [name])) as { owner: string }[];
  return rows[0]?.owner;
}
