import { TcpProxy, freePort } from '@herd/testing';
import { DataSource, QueryFailedError } from 'typeorm';
import { DatabaseUnreachableError } from '../errors/database-unreachable.error';
import { MigrationLockTimeoutError } from '../errors/migration-lock-timeout.error';
import { OwnershipViolationError } from '../errors/ownership-violation.error';
import { Order } from '../fixtures/cross-service.fixture';
import { Barn, FLOCK_ENTITIES, FLOCK_MIGRATIONS, FlockMark } from '../fixtures/flock.fixture';
import {
  adminUrl,
  bootServiceApp,
  closeServiceApps,
  dropScratch,
  runSuffix,
  scratchService,
  withAdmin,
} from '../fixtures/postgres-scratch.fixture';
import { DatabaseHealthIndicator } from '../health/database-health.indicator';
import type { DatabaseServiceOptions } from '../interfaces/database-options.interface';
import { getServiceDataSourceToken } from '../nest/database.tokens';
import { openServiceDataSource } from './open-service-data-source';
import { resolveDatabaseOptions } from './resolve-options';

const run = runSuffix();
const databases: string[] = [];
const roles: string[] = [];
afterAll(async () => {
  await closeServiceApps();
  await dropScratch(databases, roles);
});

describe('migrations at boot (real PostgreSQL)', () => {
  it('4 instances booting together run each migration exactly once', async () => {
    const flock = scratchService(`herd_flock_${run}`);
    databases.push(flock.database);
    roles.push(flock.role);
    const options: DatabaseServiceOptions = {
      url: flock.url,
      provision: { adminUrl: adminUrl() },
      entities: FLOCK_ENTITIES,
      migrations: FLOCK_MIGRATIONS,
      // Shorter than MarkFlock's pause: migrations must run without the service's timeout.
      statementTimeoutMs: 200,
    };
    const instances = await Promise.all([1, 2, 3, 4].map(() => bootServiceApp('flock', options)));
    const sources = instances.map((app) => app.get<DataSource>(getServiceDataSourceToken('flock')));
    expect(new Set(sources).size).toBe(4);

    const migrations = await sources[0].query('SELECT name FROM migrations ORDER BY id');
    expect(migrations.map((m: { name: string }) => m.name)).toEqual([
      'CreateFlock1700000000000',
      'MarkFlock1700000000001',
    ]);
    // MarkFlock inserts one row each time it runs, and lingers so the boots overlap.
    for (const source of sources) {
      expect(await source.getRepository(FlockMark).countBy({ note: 'migrated' })).toBe(1);
      expect(await source.showMigrations()).toBe(false);
      const timeouts = await Promise.all(
        [1, 2, 3].map(() =>
          source.query('SELECT current_setting($1) AS t, pg_sleep(0.05)', ['statement_timeout']),
        ),
      );
      expect(timeouts.map(([row]) => row.t)).toEqual(['200ms', '200ms', '200ms']);
    }
  });
});

describe('connections (real PostgreSQL)', () => {
  const fold = scratchService(`herd_fold_${run}`);
  databases.push(fold.database);
  roles.push(fold.role);
  const base: DatabaseServiceOptions = {
    url: fold.url,
    provision: { adminUrl: adminUrl() },
    entities: [Barn],
    synchronize: true,
  };

  it('applies the statement timeout to every connection', async () => {
    const app = await bootServiceApp('fold', { ...base, statementTimeoutMs: 300 });
    const dataSource = app.get<DataSource>(getServiceDataSourceToken('fold'));
    expect(await dataSource.query('SHOW statement_timeout')).toEqual([
      { statement_timeout: '300ms' },
    ]);
    const error = await dataSource.query('SELECT pg_sleep(3)').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(QueryFailedError);
    expect((error as { driverError: { code: string } }).driverError.code).toBe('57014');
  });

  it('never opens more connections than the pool size', async () => {
    const app = await bootServiceApp('fold', { ...base, poolSize: 2 });
    const dataSource = app.get<DataSource>(getServiceDataSourceToken('fold'));
    const busy = Promise.all(
      [1, 2, 3, 4, 5, 6].map(() => dataSource.query('SELECT pg_sleep(0.4)')),
    );
    const samples: number[] = [];
    await withAdmin(async (client) => {
      for (let i = 0; i < 8; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        const result = await client.query(
          `SELECT count(*)::int AS open FROM pg_stat_activity
            WHERE datname = $1 AND application_name = 'herd:fold' AND query LIKE '%pg_sleep(0.4)%'`,
          [fold.database],
        );
        samples.push(result.rows[0].open);
      }
    });
    await busy;
    // The other instance of 'fold' in this file is idle; only this pool runs the sleeps.
    const open = Math.max(...samples);
    expect(open).toBe(2);
  });

  it('gives up waiting for a migration lock another session never releases', async () => {
    await bootServiceApp('fold', base);
    await withAdmin(async (holder) => {
      await holder.query('SELECT pg_advisory_lock($1, hashtext($2))', [
        0x4844,
        `herd:migrations:${fold.database}:public`,
      ]);
      const error = await bootServiceApp('fold', { ...base, migrationLockTimeoutMs: 600 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(MigrationLockTimeoutError);
      expect((error as MigrationLockTimeoutError).retryable).toBe(true);
      expect((error as MigrationLockTimeoutError).waitedMs).toBeGreaterThanOrEqual(600);
    }, fold.database);
  });

  it('rejects a cross-service relation at boot, before touching the server', async () => {
    const orders = scratchService(`herd_orders_${run}`);
    const error = await bootServiceApp('orders', {
      url: orders.url,
      provision: { adminUrl: adminUrl() },
      entities: [Order],
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(OwnershipViolationError);
    expect((error as Error).message).toMatch(/Order\.payment .* Payment/);
    const created = await withAdmin((client) =>
      client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [orders.role]),
    );
    expect(created.rowCount).toBe(0);
  });
});

describe('bounded connect retry and readiness (real PostgreSQL behind a TCP proxy)', () => {
  const pen = scratchService(`herd_pen_${run}`);
  databases.push(pen.database);
  roles.push(pen.role);
  let proxy: TcpProxy | undefined;

  beforeAll(async () => {
    // Provision through the real server first; the proxy only stands in for the service path.
    const setup = await openServiceDataSource(
      resolveDatabaseOptions('pen', {
        ...penOptions(pen.url),
        provision: { adminUrl: adminUrl() },
      }),
    );
    await setup.destroy();
  });

  afterAll(() => proxy?.close());

  it('gives up with DatabaseUnreachableError after the configured attempts', async () => {
    const port = await freePort();
    const started = Date.now();
    const error = await openServiceDataSource(
      resolveDatabaseOptions('pen', {
        ...penOptions(withPort(pen.url, port)),
        connectRetry: { attempts: 3, delayMs: 100 },
      }),
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DatabaseUnreachableError);
    const unreachable = error as DatabaseUnreachableError;
    expect(unreachable.retryable).toBe(true);
    expect(unreachable.attempts).toBe(3);
    expect(unreachable.message).toContain(`127.0.0.1:${port}/${pen.database}`);
    expect(unreachable.message).not.toContain(pen.password);
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
  });

  it('keeps retrying until the server is reachable, then reports ready; down once it goes', async () => {
    const port = await freePort();
    const boot = bootServiceApp('pen', {
      ...penOptions(withPort(pen.url, port)),
      connectRetry: { attempts: 30, delayMs: 200 },
    });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const target = new URL(adminUrl());
    proxy = new TcpProxy(target.hostname, Number(target.port), port);
    await proxy.start();
    const app = await boot;
    const dataSource = app.get<DataSource>(getServiceDataSourceToken('pen'));
    expect(await dataSource.getRepository(Barn).count()).toBe(0);

    const indicator = app.get(DatabaseHealthIndicator);
    expect(await indicator.isHealthy('pen')).toEqual({ 'database:pen': { status: 'up' } });
    await proxy.close();
    const down = await indicator.isHealthy('pen', { key: 'pen-db', timeoutMs: 2_000 });
    expect(down['pen-db'].status).toBe('down');
  });
});

function penOptions(url: string): DatabaseServiceOptions {
  return { url, entities: [Barn], synchronize: true };
}

function withPort(url: string, port: number): string {
  const parsed = new URL(url);
  parsed.port = String(port);
  return parsed.toString();
}
