import { DynamicModule, Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { DataSource, EntityManager, Repository } from 'typeorm';
import { DatabaseModule } from './database.module';
import { DatabaseOptionsError } from './errors/database-options.error';
import { OwnershipViolationError } from './errors/ownership-violation.error';
import { Order } from './fixtures/cross-service.fixture';
import {
  FarmerView,
  FLOCK_ENTITIES,
  FLOCK_MIGRATIONS,
  FlockMark,
  Sheep,
} from './fixtures/flock.fixture';
import { DatabaseHealthIndicator } from './health/database-health.indicator';
import type { DatabaseServiceOptions } from './interfaces/database-options.interface';
import type { DatabaseOptionsFactory } from './interfaces/database-options-factory.interface';
import {
  getServiceDataSourceToken,
  getServiceEntityManagerToken,
  InjectServiceDataSource,
  InjectServiceEntityManager,
  InjectServiceRepository,
} from './nest/database.tokens';
import { withTransaction } from './transaction/with-transaction';

const sqliteOptions: DatabaseServiceOptions = {
  entities: FLOCK_ENTITIES,
  migrations: FLOCK_MIGRATIONS,
};

@Injectable()
class SheepService {
  constructor(
    @InjectServiceRepository(Sheep, 'flock') readonly sheep: Repository<Sheep>,
    @InjectServiceDataSource('flock') readonly dataSource: DataSource,
    @InjectServiceEntityManager('flock') readonly manager: EntityManager,
  ) {}
}

@Injectable()
class FlockOptions implements DatabaseOptionsFactory {
  createDatabaseOptions(): DatabaseServiceOptions {
    return sqliteOptions;
  }
}

@Module({ providers: [FlockOptions], exports: [FlockOptions] })
class FlockConfigModule {}

describe('DatabaseModule on the embedded SQLite default', () => {
  it('boots without a url, runs migrations and serves repositories', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        DatabaseModule.forService('flock', sqliteOptions),
        DatabaseModule.forFeature('flock', [Sheep]),
      ],
      providers: [SheepService],
    }).compile();
    const app = await moduleRef.init();
    try {
      const dataSource = app.get<DataSource>(getServiceDataSourceToken('flock'));
      expect(dataSource.options.type).toBe('better-sqlite3');
      expect(app.get<EntityManager>(getServiceEntityManagerToken('flock'))).toBe(
        dataSource.manager,
      );
      expect(await dataSource.getRepository(FlockMark).count()).toBe(1);

      const service = app.get(SheepService);
      expect(service.dataSource).toBe(dataSource);
      expect(service.manager).toBe(dataSource.manager);
      const sheep = service.sheep;
      await sheep.save({ name: 'dolly', farmerId: 'farmer-1' });
      expect(await sheep.findOneByOrFail({ name: 'dolly' })).toMatchObject({
        farmerId: 'farmer-1',
      });

      const health = await app.get(DatabaseHealthIndicator).isHealthy('flock');
      expect(health).toEqual({ 'database:flock': { status: 'up' } });
      expect(await app.get(DatabaseHealthIndicator).isHealthy('ghost')).toEqual({
        'database:ghost': { status: 'down', message: "no database registered for service 'ghost'" },
      });
    } finally {
      await app.close();
    }
  });

  it('closes the data source on application shutdown', async () => {
    const app = await Test.createTestingModule({
      imports: [DatabaseModule.forService('flock', sqliteOptions)],
    }).compile();
    await app.init();
    const dataSource = app.get<DataSource>(getServiceDataSourceToken('flock'));
    expect(dataSource.isInitialized).toBe(true);
    await app.close();
    expect(dataSource.isInitialized).toBe(false);
  });

  it('takes options from a factory (forServiceAsync useFactory)', async () => {
    const marks = await bootFlock(
      DatabaseModule.forServiceAsync('flock', {
        imports: [FlockConfigModule],
        inject: [FlockOptions],
        useFactory: (options: FlockOptions) => options.createDatabaseOptions(),
      }),
      (ds) => ds.getRepository(FlockMark).count(),
    );
    expect(marks).toBe(1);
  });

  it('takes options from a class (forServiceAsync useClass)', async () => {
    const initialized = await bootFlock(
      DatabaseModule.forServiceAsync('flock', { useClass: FlockOptions }),
      async (ds) => ds.isInitialized,
    );
    expect(initialized).toBe(true);
  });

  it('takes options from an existing provider (forServiceAsync useExisting)', async () => {
    const marks = await bootFlock(
      DatabaseModule.forServiceAsync('flock', {
        imports: [FlockConfigModule],
        useExisting: FlockOptions,
      }),
      (ds) => ds.getRepository(FlockMark).count(),
    );
    expect(marks).toBe(1);
  });

  it('keeps two services in one app apart, each with its own data source', async () => {
    const app = await Test.createTestingModule({
      imports: [
        DatabaseModule.forService('flock', sqliteOptions),
        DatabaseModule.forService('barn', { entities: [FarmerView], synchronize: true }),
      ],
    }).compile();
    await app.init();
    try {
      const flock = app.get<DataSource>(getServiceDataSourceToken('flock'));
      const barn = app.get<DataSource>(getServiceDataSourceToken('barn'));
      expect(flock).not.toBe(barn);
      expect(barn.hasMetadata(Sheep)).toBe(false);
      expect(flock.hasMetadata(Sheep)).toBe(true);
    } finally {
      await app.close();
    }
  });

  it('fails at boot naming the option key when misconfigured', async () => {
    const boot = Test.createTestingModule({
      imports: [
        DatabaseModule.forService('flock', {
          ...sqliteOptions,
          url: 'postgres://flock:pw@127.0.0.1:1/flock',
          poolSize: 0,
        }),
      ],
    }).compile();
    const error = await boot.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DatabaseOptionsError);
    expect((error as DatabaseOptionsError).message).toMatch(/option "poolSize"/);
    expect(() => DatabaseModule.forService('Flock!', sqliteOptions)).toThrow(/option "name"/);
  });

  it('fails at boot when the entities reach into another service', async () => {
    await expect(
      Test.createTestingModule({
        imports: [DatabaseModule.forService('orders', { entities: [Order] })],
      }).compile(),
    ).rejects.toThrow(OwnershipViolationError);
  });
});

describe('withTransaction on SQLite', () => {
  let app: Awaited<ReturnType<ReturnType<typeof Test.createTestingModule>['compile']>>;
  let dataSource: DataSource;

  beforeAll(async () => {
    app = await Test.createTestingModule({
      imports: [DatabaseModule.forService('flock', sqliteOptions)],
    }).compile();
    await app.init();
    dataSource = app.get<DataSource>(getServiceDataSourceToken('flock'));
  });

  afterAll(() => app.close());

  it('commits everything written through the manager and returns the result', async () => {
    const id = await withTransaction(dataSource, async (manager) => {
      const sheep = await manager.save(Sheep, { name: 'shaun', farmerId: 'f-2' });
      await manager.save(FlockMark, { note: `sheep ${sheep.id}` });
      return sheep.id;
    });
    expect(await dataSource.getRepository(Sheep).findOneBy({ id })).toMatchObject({
      name: 'shaun',
    });
    expect(
      await dataSource.getRepository(FlockMark).findOneBy({ note: `sheep ${id}` }),
    ).not.toBeNull();
  });

  it('rolls back everything when the work throws', async () => {
    const boom = new Error('boom');
    await expect(
      withTransaction(dataSource, async (manager) => {
        await manager.save(Sheep, { name: 'timmy', farmerId: 'f-3' });
        await manager.save(FlockMark, { note: 'timmy' });
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(await dataSource.getRepository(Sheep).findOneBy({ name: 'timmy' })).toBeNull();
    expect(await dataSource.getRepository(FlockMark).findOneBy({ note: 'timmy' })).toBeNull();
  });
});

/** Boots an app with only this database module, reads something from the flock's DataSource, closes. */
async function bootFlock<T>(
  module: DynamicModule,
  read: (dataSource: DataSource) => Promise<T>,
): Promise<T> {
  const app = await Test.createTestingModule({ imports: [module] }).compile();
  await app.init();
  try {
    return await read(app.get<DataSource>(getServiceDataSourceToken('flock')));
  } finally {
    await app.close();
  }
}
