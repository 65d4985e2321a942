import { DataSource } from 'typeorm';
import { DatabaseNotProvisionedError } from '../errors/database-not-provisioned.error';
import { Barn, FLOCK_ENTITIES, FLOCK_MIGRATIONS, Sheep } from '../fixtures/flock.fixture';
import {
  adminUrl,
  bootServiceApp,
  closeServiceApps,
  dropScratch,
  inDatabase,
  psql,
  runSuffix,
  scratchService,
  withAdmin,
} from '../fixtures/postgres-scratch.fixture';
import type { DatabaseServiceOptions } from '../interfaces/database-options.interface';
import { getServiceDataSourceToken } from '../nest/database.tokens';
import { provisionServiceDatabase } from './provision-service-database';

const run = runSuffix();
const databases: string[] = [];
const roles: string[] = [];
async function boot(service: string, options: DatabaseServiceOptions): Promise<DataSource> {
  const app = await bootServiceApp(service, options);
  return app.get<DataSource>(getServiceDataSourceToken(service));
}

afterAll(async () => {
  await closeServiceApps();
  await dropScratch(databases, roles);
});

describe('one database per service (real PostgreSQL)', () => {
  const ewes = scratchService(`herd_ewes_${run}`);
  const rams = scratchService(`herd_rams_${run}`);
  databases.push(ewes.database, rams.database);
  roles.push(ewes.role, rams.role);

  beforeAll(async () => {
    const [ewesDb, ramsDb] = await Promise.all([
      boot('ewes', {
        url: ewes.url,
        provision: { adminUrl: adminUrl() },
        entities: FLOCK_ENTITIES,
        migrations: FLOCK_MIGRATIONS,
      }),
      boot('rams', {
        url: rams.url,
        provision: { adminUrl: adminUrl() },
        entities: [Barn],
        synchronize: true,
      }),
    ]);
    await ewesDb.getRepository(Sheep).save({ name: 'dolly', farmerId: 'f-1' });
    await ramsDb.getRepository(Barn).save({ label: 'north' });
  });

  it('created each service its own role and database, owned by that role', async () => {
    const owners = await withAdmin((client) =>
      client.query(
        `SELECT d.datname, r.rolname, r.rolsuper FROM pg_database d
           JOIN pg_roles r ON r.oid = d.datdba WHERE d.datname = ANY($1) ORDER BY d.datname`,
        [[ewes.database, rams.database]],
      ),
    );
    expect(owners.rows).toEqual([
      { datname: ewes.database, rolname: ewes.role, rolsuper: false },
      { datname: rams.database, rolname: rams.role, rolsuper: false },
    ]);
  });

  it('lets each role read its own tables through psql', async () => {
    expect(await psql(ewes.url, 'SELECT name FROM sheep')).toMatchObject({
      code: 0,
      stdout: 'dolly',
    });
    expect(await psql(rams.url, 'SELECT label FROM barn')).toMatchObject({
      code: 0,
      stdout: 'north',
    });
  });

  it("keeps each role out of the other service's database (psql as each role)", async () => {
    const ewesIntoRams = await psql(inDatabase(ewes, rams.database), 'SELECT label FROM barn');
    expect(ewesIntoRams.code).not.toBe(0);
    expect(ewesIntoRams.stderr).toMatch(
      new RegExp(`permission denied for database "?${rams.database}"?`),
    );
    const ramsIntoEwes = await psql(inDatabase(rams, ewes.database), 'SELECT name FROM sheep');
    expect(ramsIntoEwes.code).not.toBe(0);
    expect(ramsIntoEwes.stderr).toMatch(
      new RegExp(`permission denied for database "?${ewes.database}"?`),
    );
  });

  it('boots again over the existing role and database and keeps the data', async () => {
    const again = await boot('ewes', {
      url: ewes.url,
      provision: { adminUrl: adminUrl() },
      entities: FLOCK_ENTITIES,
      migrations: FLOCK_MIGRATIONS,
    });
    expect(await again.getRepository(Sheep).count()).toBe(1);
  });
});

describe('one schema per service in a shared database (real PostgreSQL)', () => {
  const shared = `herd_pasture_${run}`;
  const lambs = scratchService(`herd_lambs_${run}`, shared);
  const goats = scratchService(`herd_goats_${run}`, shared);
  databases.push(shared);
  roles.push(lambs.role, goats.role);

  beforeAll(async () => {
    const [lambsDb, goatsDb] = await Promise.all([
      boot('lambs', {
        url: lambs.url,
        isolation: 'schema',
        provision: { adminUrl: adminUrl() },
        entities: FLOCK_ENTITIES,
        migrations: FLOCK_MIGRATIONS,
      }),
      boot('goats', {
        url: goats.url,
        isolation: 'schema',
        provision: { adminUrl: adminUrl() },
        entities: [Barn],
        synchronize: true,
      }),
    ]);
    await lambsDb.getRepository(Sheep).save({ name: 'larry', farmerId: 'f-2' });
    await goatsDb.getRepository(Barn).save({ label: 'south' });
  });

  it('puts every table, the migrations table included, in the service schema', async () => {
    const tables = await withAdmin(
      (client) =>
        client.query(
          `SELECT table_schema, table_name FROM information_schema.tables
            WHERE table_schema IN ($1, $2, 'public') ORDER BY 1, 2`,
          [lambs.role, goats.role],
        ),
      shared,
    );
    expect(tables.rows.map((r) => `${r.table_schema}.${r.table_name}`)).toEqual([
      `${goats.role}.barn`,
      `${lambs.role}.farmer_view`,
      `${lambs.role}.fleece`,
      `${lambs.role}.flock_mark`,
      `${lambs.role}.migrations`,
      `${lambs.role}.sheep`,
    ]);
  });

  it("keeps each role out of the other service's schema (psql as each role)", async () => {
    expect(await psql(lambs.url, 'SELECT name FROM sheep')).toMatchObject({
      code: 0,
      stdout: 'larry',
    });
    const lambsIntoGoats = await psql(lambs.url, `SELECT label FROM ${goats.role}.barn`);
    expect(lambsIntoGoats.code).not.toBe(0);
    expect(lambsIntoGoats.stderr).toContain(`permission denied for schema ${goats.role}`);
    const goatsIntoLambs = await psql(goats.url, `SELECT name FROM ${lambs.role}.sheep`);
    expect(goatsIntoLambs.code).not.toBe(0);
    expect(goatsIntoLambs.stderr).toContain(`permission denied for schema ${lambs.role}`);
  });
});

describe('without provisioning (production)', () => {
  it('fails at boot with the SQL to run when the role is missing', async () => {
    const ghost = scratchService(`herd_ghost_${run}`);
    const error = await boot('ghost', { url: ghost.url, entities: [Barn] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DatabaseNotProvisionedError);
    const message = (error as Error).message;
    expect(message).toContain(`role "${ghost.role}" cannot log in`);
    expect(message).toContain(`CREATE ROLE "${ghost.role}" LOGIN PASSWORD`);
    expect(message).toContain(`CREATE DATABASE "${ghost.database}" OWNER "${ghost.role}";`);
    expect(message).not.toContain(ghost.password);
  });

  it('fails at boot naming the missing database when only the role exists', async () => {
    const hollow = scratchService(`herd_hollow_${run}`);
    roles.push(hollow.role);
    await withAdmin((client) =>
      client.query(`CREATE ROLE "${hollow.role}" LOGIN PASSWORD '${hollow.password}'`),
    );
    const error = await boot('hollow', { url: hollow.url, entities: [Barn] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DatabaseNotProvisionedError);
    expect((error as Error).message).toContain(`database "${hollow.database}" does not exist`);
    expect((error as DatabaseNotProvisionedError).statements).toContain(
      `CREATE DATABASE "${hollow.database}" OWNER "${hollow.role}";`,
    );
  });

  it('fails at boot when the schema is missing in schema isolation', async () => {
    const stray = scratchService(`herd_stray_${run}`, `herd_pasture_${run}`);
    roles.push(stray.role);
    await withAdmin((client) =>
      client.query(`CREATE ROLE "${stray.role}" LOGIN PASSWORD '${stray.password}'`),
    );
    const error = await boot('stray', {
      url: stray.url,
      isolation: 'schema',
      entities: [Barn],
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DatabaseNotProvisionedError);
    expect((error as Error).message).toContain(`schema "${stray.role}" does not exist`);
    expect((error as Error).message).toContain(`CREATE SCHEMA "${stray.role}" AUTHORIZATION`);
  });
});

describe('provisionServiceDatabase (real PostgreSQL)', () => {
  /** A logger that keeps what it was told, to show that no password is in it. */
  const recording = () => {
    const logged: string[] = [];
    return {
      logged,
      logger: { log: (m: string) => logged.push(m), warn: (m: string) => logged.push(m) },
    };
  };

  it("makes the service's role and database once and returns a URL that connects as the role", async () => {
    const { role, password, database } = scratchService(`herd_tool_${run}`, `herd_tool_db_${run}`);
    databases.push(database);
    roles.push(role);
    const { logged, logger } = recording();

    const first = await provisionServiceDatabase(adminUrl(), { role, password, database }, logger);
    expect(first.created).toEqual([`role ${role}`, `database ${database}`]);
    const again = await provisionServiceDatabase(adminUrl(), { role, password, database });
    expect(again).toEqual({ url: first.url, created: [] });

    const [owner] = await withAdmin((client) =>
      client
        .query(
          `SELECT r.rolname, r.rolsuper, has_database_privilege('public', d.datname, 'CONNECT') AS public_connect
             FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba WHERE d.datname = $1`,
          [database],
        )
        .then((result) => result.rows),
    );
    expect(owner).toEqual({ rolname: role, rolsuper: false, public_connect: false });
    expect((await psql(first.url, 'SELECT current_user')).stdout.trim()).toBe(role);
    expect(logged.join('\n')).not.toContain(password);
  });

  it('keeps the password out of the error when the statement that carries it is refused', async () => {
    // An "admin" that may log in but not create roles: CREATE ROLE ... PASSWORD fails.
    const weak = scratchService(`herd_tool_weak_${run}`, 'postgres');
    roles.push(weak.role);
    await withAdmin((client) =>
      client.query(`CREATE ROLE ${weak.role} LOGIN PASSWORD '${weak.password}'`),
    );
    const { role, password } = scratchService(`herd_tool_x_${run}`);
    const { logged, logger } = recording();
    const error = (await provisionServiceDatabase(weak.url, { role, password }, logger).catch(
      (e: unknown) => e,
    )) as Error;
    expect(error.message).toMatch(/permission denied to create role/);
    const told = [String(error), error.stack, JSON.stringify(error), ...logged].join('\n');
    expect(told).not.toContain(password);
  });
});
