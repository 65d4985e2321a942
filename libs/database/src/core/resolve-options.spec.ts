import { DatabaseOptionsError } from '../errors/database-options.error';
import { Sheep } from '../fixtures/flock.fixture';
import { provisioningStatements } from './provisioning';
import { resolveDatabaseOptions } from './resolve-options';
import type { ResolvedPostgresOptions } from './resolved-options';

const url = 'postgres://flock:s3cret@db.local:6543/flock_db';

function optionError(run: () => unknown): DatabaseOptionsError {
  try {
    run();
  } catch (error) {
    if (error instanceof DatabaseOptionsError) return error;
    throw error;
  }
  throw new Error('expected a DatabaseOptionsError');
}

describe('resolveDatabaseOptions', () => {
  it('falls back to embedded SQLite in memory when no url is configured', () => {
    expect(resolveDatabaseOptions('flock', { entities: [Sheep] })).toMatchObject({
      driver: 'sqlite',
      path: ':memory:',
      migrationsRun: true,
      synchronize: false,
    });
    expect(resolveDatabaseOptions('flock', { url: '', entities: [] }).driver).toBe('sqlite');
  });

  it('reads role, database and target from the url and applies documented defaults', () => {
    expect(resolveDatabaseOptions('flock', { url, entities: [Sheep] })).toMatchObject({
      driver: 'postgres',
      host: 'db.local',
      port: 6543,
      role: 'flock',
      database: 'flock_db',
      isolation: 'database',
      schema: undefined,
      poolSize: 10,
      statementTimeoutMs: 30_000,
      connectAttempts: 10,
      connectDelayMs: 1_000,
    });
  });

  it('defaults the schema to the role name in schema isolation', () => {
    const resolved = resolveDatabaseOptions('flock', {
      url,
      isolation: 'schema',
      entities: [],
    }) as ResolvedPostgresOptions;
    expect(resolved.schema).toBe('flock');
  });

  it.each([
    ['name', () => resolveDatabaseOptions('Bad Name', { entities: [] })],
    ['entities', () => resolveDatabaseOptions('flock', {} as never)],
    ['entities[1]', () => resolveDatabaseOptions('flock', { entities: [Sheep, 'x' as never] })],
    ['url', () => resolveDatabaseOptions('flock', { url: 'mysql://a:b@h/d', entities: [] })],
    ['url', () => resolveDatabaseOptions('flock', { url: 'postgres://h:1/', entities: [] })],
    [
      'isolation',
      () => resolveDatabaseOptions('flock', { url, isolation: 'x' as never, entities: [] }),
    ],
    ['schema', () => resolveDatabaseOptions('flock', { url, schema: 'flock', entities: [] })],
    ['poolSize', () => resolveDatabaseOptions('flock', { url, poolSize: 1, entities: [] })],
    [
      'connectRetry.attempts',
      () => resolveDatabaseOptions('flock', { url, connectRetry: { attempts: 0 }, entities: [] }),
    ],
    [
      'provision.adminUrl',
      () => resolveDatabaseOptions('flock', { url, provision: {} as never, entities: [] }),
    ],
    [
      'synchronize',
      () => resolveDatabaseOptions('flock', { synchronize: 'yes' as never, entities: [] }),
    ],
  ])('names the option key %s in the error', (key, run) => {
    const error = optionError(run);
    expect(error.optionKey).toBe(key);
    expect(error.message).toContain(`"${key}"`);
    expect(error.retryable).toBe(false);
  });

  it('refuses synchronize and provisioning in production', () => {
    const production = { NODE_ENV: 'production' };
    expect(
      optionError(() =>
        resolveDatabaseOptions('flock', { url, synchronize: true, entities: [] }, production),
      ).optionKey,
    ).toBe('synchronize');
    expect(
      optionError(() =>
        resolveDatabaseOptions(
          'flock',
          { url, provision: { adminUrl: url }, entities: [] },
          production,
        ),
      ).optionKey,
    ).toBe('provision');
    expect(resolveDatabaseOptions('flock', { url, entities: [] }, production).driver).toBe(
      'postgres',
    );
  });

  it('never echoes the password of a bad url', () => {
    const error = optionError(() =>
      resolveDatabaseOptions('flock', { url: 'postgres://flock:hunter2@h/Bad-Db', entities: [] }),
    );
    expect(error.message).not.toContain('hunter2');
  });
});

describe('errors name what the user set', () => {
  const settingNames = { url: 'COURSEWARE_DATABASE_URL', adminUrl: 'HERD_POSTGRES_URL' };

  it('names the environment variable of a bad url or admin url, not the option', () => {
    const bad = optionError(() =>
      resolveDatabaseOptions('courseware', { url: 'mysql://a:b@h/db', entities: [], settingNames }),
    );
    expect(bad.message).toBe(
      "Service 'courseware': COURSEWARE_DATABASE_URL must use postgres://, got mysql://",
    );
    const admin = optionError(() =>
      resolveDatabaseOptions('courseware', {
        url,
        provision: { adminUrl: 'not a url' },
        entities: [],
        settingNames,
      }),
    );
    expect(admin.message).toBe("Service 'courseware': HERD_POSTGRES_URL is not a valid URL");
    expect(admin.message).not.toContain('provision.adminUrl');
  });
});

describe('provisioningStatements', () => {
  it('says what to create per isolation mode, without the password', () => {
    const db = resolveDatabaseOptions('flock', { url, entities: [] }) as ResolvedPostgresOptions;
    expect(provisioningStatements(db)).toEqual([
      `CREATE ROLE "flock" LOGIN PASSWORD '<password from the service url>';`,
      'CREATE DATABASE "flock_db" OWNER "flock";',
      'REVOKE ALL ON DATABASE "flock_db" FROM PUBLIC;',
    ]);
    const schema = resolveDatabaseOptions('flock', {
      url,
      isolation: 'schema',
      schema: 'sheepfold',
      entities: [],
    }) as ResolvedPostgresOptions;
    expect(provisioningStatements(schema)).toEqual([
      `CREATE ROLE "flock" LOGIN PASSWORD '<password from the service url>';`,
      'GRANT CONNECT ON DATABASE "flock_db" TO "flock";',
      'CREATE SCHEMA "sheepfold" AUTHORIZATION "flock";',
    ]);
    expect(provisioningStatements(db, "it's").join()).toContain(`PASSWORD 'it''s'`);
  });
});
