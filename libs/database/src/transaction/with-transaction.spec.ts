import { DataSource } from 'typeorm';
import { openServiceDataSource } from '../core/open-service-data-source';
import { resolveDatabaseOptions } from '../core/resolve-options';
import { FLOCK_ENTITIES, FLOCK_MIGRATIONS, FlockMark } from '../fixtures/flock.fixture';
import { withTransaction } from './with-transaction';

describe('withTransaction on the single-connection SQLite default', () => {
  let dataSource: DataSource;

  beforeAll(async () => {
    dataSource = await openServiceDataSource(
      resolveDatabaseOptions('flock', { entities: FLOCK_ENTITIES, migrations: FLOCK_MIGRATIONS }),
    );
  });

  afterAll(() => dataSource.destroy());

  it('lets concurrent transactions take turns instead of failing, each atomic', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        withTransaction(dataSource, async (manager) => {
          await manager.save(FlockMark, { note: `t${i}-a` });
          await new Promise((resolve) => setTimeout(resolve, 5));
          if (i === 3) throw new Error('t3 fails');
          await manager.save(FlockMark, { note: `t${i}-b` });
          return i;
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'fulfilled',
    ]);
    const notes = (await dataSource.getRepository(FlockMark).find())
      .map((m) => m.note)
      .filter((n) => n.startsWith('t'))
      .sort();
    expect(notes).toEqual([0, 1, 2, 4, 5, 6, 7].flatMap((i) => [`t${i}-a`, `t${i}-b`]));
  });

  it('makes plain dataSource.transaction calls (as the saga lib uses) take turns too', async () => {
    const outcomes = await Promise.all(
      [1, 2, 3].map((i) =>
        dataSource.transaction(async (manager) => {
          await manager.save(FlockMark, { note: `plain-${i}` });
          await new Promise((resolve) => setTimeout(resolve, 5));
          // A transaction opened inside a turn runs at once as a savepoint, never waits on itself.
          await manager.transaction((inner) => inner.save(FlockMark, { note: `inner-${i}` }));
          return i;
        }),
      ),
    );
    expect(outcomes).toEqual([1, 2, 3]);
    expect(await dataSource.getRepository(FlockMark).countBy({ note: 'inner-2' })).toBe(1);
    await expect(
      withTransaction(dataSource, () =>
        withTransaction(dataSource, async (inner) => inner.save(FlockMark, { note: 're-entrant' })),
      ),
    ).resolves.toMatchObject({ note: 're-entrant' });
  });

  it('passes the isolation level through', async () => {
    await expect(
      withTransaction(dataSource, async (m) => m.count(FlockMark), {
        isolationLevel: 'SERIALIZABLE',
      }),
    ).resolves.toBeGreaterThan(0);
  });
});
