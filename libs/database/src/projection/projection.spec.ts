import { DataSource } from 'typeorm';
import { resolveDatabaseOptions } from '../core/resolve-options';
import { openServiceDataSource } from '../core/open-service-data-source';
import { ProjectionError } from '../errors/projection.error';
import {
  farmerProjection,
  FarmerRenamed,
  FarmerView,
  FLOCK_ENTITIES,
  FLOCK_MIGRATIONS,
} from '../fixtures/flock.fixture';
import { withTransaction } from '../transaction/with-transaction';

describe('Projection (SQLite)', () => {
  let dataSource: DataSource;

  beforeAll(async () => {
    dataSource = await openServiceDataSource(
      resolveDatabaseOptions('flock', { entities: FLOCK_ENTITIES, migrations: FLOCK_MIGRATIONS }),
    );
  });

  afterAll(() => dataSource.destroy());

  const apply = (event: FarmerRenamed) =>
    withTransaction(dataSource, (manager) => farmerProjection.apply(manager, event));

  it('creates, updates and ignores duplicate or late events per key', async () => {
    expect(await apply({ farmerId: 'f-1', version: 1, name: 'Bo' })).toBe('applied');
    expect(await apply({ farmerId: 'f-1', version: 3, name: 'Bo Peep' })).toBe('applied');
    expect(await apply({ farmerId: 'f-1', version: 3, name: 'Bo Peep' })).toBe('stale');
    expect(await apply({ farmerId: 'f-1', version: 2, name: 'Bo P.' })).toBe('stale');
    expect(await apply({ farmerId: 'f-2', version: 1, name: 'Farmer Hogget' })).toBe('applied');
    const rows = await dataSource.getRepository(FarmerView).find({ order: { id: 'ASC' } });
    expect(rows).toEqual([
      { id: 'f-1', name: 'Bo Peep', sourceVersion: 3 },
      { id: 'f-2', name: 'Farmer Hogget', sourceVersion: 1 },
    ]);
  });

  it('rejects an event without a usable key or version', async () => {
    await expect(apply({ farmerId: '', version: 1, name: 'x' })).rejects.toThrow(ProjectionError);
    await expect(apply({ farmerId: 'f-9', version: NaN, name: 'x' })).rejects.toThrow(
      /version for key f-9/,
    );
  });
});
