import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { DatabaseModule } from './database.module';
import {
  farmerProjection,
  FarmerView,
  Fleece,
  FLOCK_ENTITIES,
  FLOCK_MIGRATIONS,
  FlockMark,
  Sheep,
} from './fixtures/flock.fixture';
import {
  adminUrl,
  dropScratch,
  runSuffix,
  scratchService,
} from './fixtures/postgres-scratch.fixture';
import type { DatabaseServiceOptions } from './interfaces/database-options.interface';
import { getServiceDataSourceToken } from './nest/database.tokens';
import { getExternalRefs } from './references/external-ref';
import { withTransaction } from './transaction/with-transaction';

const run = runSuffix();
const flock = scratchService(`herd_portable_${run}`);

afterAll(() => dropScratch([flock.database], [flock.role]));

describe.each<[string, DatabaseServiceOptions]>([
  ['embedded SQLite', { entities: FLOCK_ENTITIES, migrations: FLOCK_MIGRATIONS }],
  [
    'real PostgreSQL',
    {
      url: flock.url,
      provision: { adminUrl: adminUrl() },
      entities: FLOCK_ENTITIES,
      migrations: FLOCK_MIGRATIONS,
    },
  ],
])('the same entities and migrations on %s', (_label, options) => {
  let app: INestApplicationContext;
  let dataSource: DataSource;

  beforeAll(async () => {
    app = await Test.createTestingModule({
      imports: [DatabaseModule.forService('flock', options)],
    }).compile();
    await app.init();
    dataSource = app.get<DataSource>(getServiceDataSourceToken('flock'));
  });

  afterAll(() => app.close());

  it('stores an in-service relation and a cross-service reference as a plain id', async () => {
    const sheep = await dataSource
      .getRepository(Sheep)
      .save({ name: 'dolly', farmerId: 'farmer-7' });
    await dataSource.getRepository(Fleece).save([
      { grams: 1200, sheep },
      { grams: 900, sheep },
    ]);
    const loaded = await dataSource.getRepository(Sheep).findOneOrFail({
      where: { id: sheep.id },
      relations: { fleeces: true },
      order: { fleeces: { grams: 'ASC' } },
    });
    expect(loaded.farmerId).toBe('farmer-7');
    expect(loaded.fleeces.map((f) => f.grams)).toEqual([900, 1200]);
    expect(getExternalRefs(Sheep)).toEqual([
      { service: 'farmers', entity: 'Farmer', property: 'farmerId' },
    ]);
    expect(dataSource.getMetadata(Sheep).foreignKeys).toEqual([]);
  });

  it('withTransaction commits business rows and messages together, or neither', async () => {
    await withTransaction(dataSource, async (manager) => {
      const sheep = await manager.save(Sheep, { name: 'shaun', farmerId: 'farmer-8' });
      await manager.save(FlockMark, { note: `born ${sheep.name}` });
    });
    await expect(
      withTransaction(dataSource, async (manager) => {
        await manager.save(Sheep, { name: 'timmy', farmerId: 'farmer-9' });
        await manager.save(FlockMark, { note: 'born timmy' });
        throw new Error('outbox write failed');
      }),
    ).rejects.toThrow('outbox write failed');
    const notes = (await dataSource.getRepository(FlockMark).find()).map((m) => m.note).sort();
    expect(notes).toEqual(['born shaun', 'migrated']);
    expect(await dataSource.getRepository(Sheep).existsBy({ name: 'timmy' })).toBe(false);
  });

  it('keeps a projection of another service data, idempotent per event version', async () => {
    const apply = (version: number, name: string) =>
      withTransaction(dataSource, (manager) =>
        farmerProjection.apply(manager, { farmerId: 'farmer-7', version, name }),
      );
    expect(await apply(1, 'Bo')).toBe('applied');
    expect(await apply(1, 'Bo')).toBe('stale');
    // Two consumers racing on the same key: the row lock (PostgreSQL) or the single writer
    // (SQLite) makes the newest version win whatever the order.
    const outcomes = await Promise.all([apply(3, 'Bo Peep'), apply(2, 'Bo P.')]);
    expect(outcomes).toContain('applied');
    expect(await dataSource.getRepository(FarmerView).findOneByOrFail({ id: 'farmer-7' })).toEqual({
      id: 'farmer-7',
      name: 'Bo Peep',
      sourceVersion: 3,
    });
  });
});
