import {
  DEFAULT_CONNECT_ATTEMPTS,
  DEFAULT_CONNECT_DELAY_MS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_MIGRATION_LOCK_TIMEOUT_MS,
  DEFAULT_POOL_SIZE,
  DEFAULT_SQLITE_PATH,
  DEFAULT_STATEMENT_TIMEOUT_MS,
  IDENTIFIER_PATTERN,
  SERVICE_NAME_PATTERN,
} from '../database.constants';
import { DatabaseOptionsError } from '../errors/database-options.error';
import type { DatabaseServiceOptions } from '../interfaces/database-options.interface';
import type { ResolvedDatabaseOptions } from './resolved-options';

export function assertServiceName(service: unknown): asserts service is string {
  if (typeof service !== 'string' || !SERVICE_NAME_PATTERN.test(service)) {
    throw new DatabaseOptionsError(
      String(service),
      'name',
      `must match ${SERVICE_NAME_PATTERN} (it names the role, database or schema)`,
    );
  }
}

/** Validates every option (naming the key on failure) and fills in the documented defaults. */
export function resolveDatabaseOptions(
  service: string,
  options: DatabaseServiceOptions | undefined,
  env: NodeJS.ProcessEnv = process.env,
): ResolvedDatabaseOptions {
  assertServiceName(service);
  const setting = (key: string): string | undefined =>
    key === 'url'
      ? options?.settingNames?.url
      : key.startsWith('provision')
        ? options?.settingNames?.adminUrl
        : undefined;
  const fail = (key: string, problem: string): never => {
    throw new DatabaseOptionsError(service, key, problem, setting(key));
  };
  if (!options || typeof options !== 'object') {
    return fail('options', 'must be an object');
  }
  if (!Array.isArray(options.entities)) {
    fail('entities', 'must be an array of the entity classes the service owns');
  }
  options.entities.forEach((entity, i) => {
    if (typeof entity !== 'function') fail(`entities[${i}]`, 'must be an entity class');
  });
  const migrations = options.migrations ?? [];
  if (!Array.isArray(migrations)) fail('migrations', 'must be an array of migration classes');
  migrations.forEach((migration, i) => {
    if (typeof migration !== 'function') fail(`migrations[${i}]`, 'must be a migration class');
  });
  const flag = (key: 'migrationsRun' | 'synchronize' | 'logging', fallback: boolean) => {
    const value = options[key] ?? fallback;
    if (typeof value !== 'boolean') fail(key, 'must be a boolean');
    return value;
  };
  // Creating schema objects from entities or as a superuser at boot is for dev and tests only.
  const production = env.NODE_ENV === 'production';
  if (production && options.synchronize) {
    fail('synchronize', 'must not be set when NODE_ENV=production: write a migration instead');
  }
  if (production && options.provision !== undefined) {
    fail('provision', 'must not be set when NODE_ENV=production: provision the database once');
  }
  const common = {
    service,
    production,
    settingNames: {
      url: options.settingNames?.url ?? 'option "url"',
      adminUrl: options.settingNames?.adminUrl ?? 'option "provision.adminUrl"',
    },
    entities: [...options.entities],
    migrations: [...migrations],
    migrationsRun: flag('migrationsRun', true),
    synchronize: flag('synchronize', false),
    logging: flag('logging', false),
  };

  if (options.url === undefined || options.url === '') {
    const path = options.sqlitePath ?? DEFAULT_SQLITE_PATH;
    if (typeof path !== 'string' || path === '') fail('sqlitePath', 'must be a non-empty path');
    return { ...common, driver: 'sqlite', path };
  }

  const url = parsePostgresUrl(options.url, (problem) => fail('url', problem));
  const isolation = options.isolation ?? 'database';
  if (isolation !== 'database' && isolation !== 'schema') {
    fail('isolation', `must be 'database' or 'schema', got ${JSON.stringify(isolation)}`);
  }
  let schema: string | undefined;
  if (isolation === 'schema') {
    schema = options.schema ?? url.role;
    if (typeof schema !== 'string' || !IDENTIFIER_PATTERN.test(schema)) {
      fail('schema', `must match ${IDENTIFIER_PATTERN}`);
    }
  } else if (options.schema !== undefined) {
    fail('schema', "is only used with isolation: 'schema'");
  }
  let adminUrl: string | undefined;
  if (options.provision !== undefined) {
    adminUrl = options.provision?.adminUrl;
    if (typeof adminUrl !== 'string') {
      return fail('provision.adminUrl', 'must be a postgres:// URL of a superuser');
    }
    parsePostgresUrl(adminUrl, (problem) => fail('provision.adminUrl', problem));
  }
  const int = (key: string, value: unknown, fallback: number, min: number): number => {
    const v = value ?? fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
      fail(key, `must be an integer >= ${min}, got ${JSON.stringify(v)}`);
    }
    return v as number;
  };
  if (options.connectRetry !== undefined && typeof options.connectRetry !== 'object') {
    fail('connectRetry', 'must be an object { attempts, delayMs }');
  }
  return {
    ...common,
    driver: 'postgres',
    url: options.url,
    host: url.host,
    port: url.port,
    role: url.role,
    database: url.database,
    isolation,
    schema,
    adminUrl,
    poolSize: int('poolSize', options.poolSize, DEFAULT_POOL_SIZE, 2),
    statementTimeoutMs: int(
      'statementTimeoutMs',
      options.statementTimeoutMs,
      DEFAULT_STATEMENT_TIMEOUT_MS,
      0,
    ),
    connectTimeoutMs: int(
      'connectTimeoutMs',
      options.connectTimeoutMs,
      DEFAULT_CONNECT_TIMEOUT_MS,
      1,
    ),
    connectAttempts: int(
      'connectRetry.attempts',
      options.connectRetry?.attempts,
      DEFAULT_CONNECT_ATTEMPTS,
      1,
    ),
    connectDelayMs: int(
      'connectRetry.delayMs',
      options.connectRetry?.delayMs,
      DEFAULT_CONNECT_DELAY_MS,
      0,
    ),
    migrationLockTimeoutMs: int(
      'migrationLockTimeoutMs',
      options.migrationLockTimeoutMs,
      DEFAULT_MIGRATION_LOCK_TIMEOUT_MS,
      1,
    ),
  };
}

interface ParsedPostgresUrl {
  host: string;
  port: number;
  role: string;
  database: string;
}

function parsePostgresUrl(raw: unknown, fail: (problem: string) => never): ParsedPostgresUrl {
  if (typeof raw !== 'string') return fail('must be a postgres:// URL string');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // The raw value may hold a password: never echo it.
    return fail('is not a valid URL');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    fail(`must use postgres://, got ${url.protocol}//`);
  }
  const role = decodeURIComponent(url.username);
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!IDENTIFIER_PATTERN.test(role))
    fail(`must name the role (user) matching ${IDENTIFIER_PATTERN}`);
  if (!IDENTIFIER_PATTERN.test(database)) {
    fail(`must name the database (path) matching ${IDENTIFIER_PATTERN}`);
  }
  return { host: url.hostname, port: url.port ? Number(url.port) : 5432, role, database };
}

/** host:port/database as role, safe to log (no password). */
export function describeTarget(o: { host: string; port: number; database: string; role?: string }) {
  return `${o.role ? `${o.role}@` : ''}${o.host}:${o.port}/${o.database}`;
}
