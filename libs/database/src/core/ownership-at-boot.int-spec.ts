import { DataSource } from 'typeorm';
import { CrossServiceAccessError } from '../errors/cross-service-access.error';
import { DatabaseOwnershipError } from '../errors/database-ownership.error';
import { Barn } from '../fixtures/flock.fixture';
import {
  adminUrl,
  dropScratch,
  runSuffix,
  scratchService,
  withAdmin,
} from '../fixtures/postgres-scratch.fixture';
import type { DatabaseServiceOptions } from '../interfaces/database-options.interface';
import { openServiceDataSource } from './open-service-data-source';
import { resolveDatabaseOptions } from './resolve-options';

const run = runSuffix();
const owned = scratchService(`herd_own_${run}`);
const squatter = scratchService(`herd_squat_${run}`, `herd_squatted_${run}`);
const production = { NODE_ENV: 'production' };
const opened: DataSource[] = [];

/** Boots like a service in production: verify only, settings named as @herd/service names them. */
function boot(options: Partial<DatabaseServiceOptions>, env: NodeJS.ProcessEnv = production) {
  return openServiceDataSource(
    resolveDatabaseOptions(
      'grazing',
      { entities: [Barn], settingNames: { url: 'GRAZING_DATABASE_URL' }, ...options },
      env,
    ),
  ).then((dataSource) => {
    opened.push(dataSource);
    return dataSource;
  });
}

beforeAll(async () => {
  // Provisioned as Herd provisions: the role owns its database, PUBLIC may not connect.
  await openServiceDataSource(
    resolveDatabaseOptions('grazing', {
      url: owned.url,
      provision: { adminUrl: adminUrl() },
      entities: [Barn],
      synchronize: true,
    }),
  ).then((dataSource) => dataSource.destroy());
  // Provisioned by hand, badly: the database belongs to the admin and PUBLIC keeps CONNECT.
  await withAdmin(async (admin) => {
    await admin.query(`CREATE ROLE ${squatter.role} LOGIN PASSWORD '${squatter.password}'`);
    await admin.query(`CREATE DATABASE ${squatter.database}`);
  });
  // Another service's table in the well-provisioned database, owned by the admin.
  await withAdmin(
    (admin) => admin.query('CREATE TABLE ledger (id int PRIMARY KEY)'),
    owned.database,
  );
});

afterAll(async () => {
  await Promise.all(opened.map((dataSource) => dataSource.destroy()));
  await dropScratch([owned.database, squatter.database], [owned.role, squatter.role]);
});

describe('ownership at boot in production (real PostgreSQL)', () => {
  it('boots a role that owns its database and that PUBLIC cannot connect to', async () => {
    const dataSource = await boot({ url: owned.url });
    expect(dataSource.isInitialized).toBe(true);
  });

  it('refuses a database the role does not own and PUBLIC can connect to, naming the service and the variable', async () => {
    const error = await boot({ url: squatter.url }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseOwnershipError);
    const message = (error as Error).message;
    expect(message).toContain("Service 'grazing' must own its data in production");
    expect(message).toContain(`database "${squatter.database}" is owned by`);
    expect(message).toContain(`PUBLIC can connect to database "${squatter.database}"`);
    expect(message).toContain('Point GRAZING_DATABASE_URL at');
    expect(message).toContain(`REVOKE CONNECT ON DATABASE "${squatter.database}" FROM PUBLIC;`);
    // Outside production the same database boots (development clusters are often loose).
    expect((await boot({ url: squatter.url }, {})).isInitialized).toBe(true);
  });

  it('refuses a superuser in production', async () => {
    const url = new URL(adminUrl());
    url.pathname = `/${owned.database}`;
    const error = await boot({ url: url.toString() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseOwnershipError);
    expect((error as Error).message).toMatch(/role "\w+" is a superuser/);
  });
});

describe('permission denied (42501) at run time (real PostgreSQL)', () => {
  it('names the service and the owner of the data it touched', async () => {
    const dataSource = await boot({ url: owned.url });
    const error = await dataSource.query('SELECT * FROM ledger').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CrossServiceAccessError);
    const owner = new URL(adminUrl()).username;
    expect((error as CrossServiceAccessError).message).toBe(
      `Service 'grazing' touched table "ledger", owned by role "${owner}" (another service's data): ` +
        `PostgreSQL refused it (42501 permission denied). Read it through that service's API or events.`,
    );
    // Through a repository and inside a transaction too: the same error, not a raw driver one.
    const inTransaction = await dataSource
      .transaction((manager) => manager.query('INSERT INTO ledger VALUES (1)'))
      .catch((e: unknown) => e);
    expect(inTransaction).toBeInstanceOf(CrossServiceAccessError);
  });
});
