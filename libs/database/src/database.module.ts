import { DynamicModule, Logger, Module } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { TypeOrmModule, TypeOrmModuleOptions } from '@nestjs/typeorm';
import type { DataSourceOptions } from 'typeorm';
import { toDataSourceOptions } from './core/data-source-options';
import { openServiceDataSource } from './core/open-service-data-source';
import { assertServiceName, resolveDatabaseOptions } from './core/resolve-options';
import type { ResolvedDatabaseOptions } from './core/resolved-options';
import { DATABASE_LOGGER_CONTEXT } from './database.constants';
import { DatabaseHealthIndicator } from './health/database-health.indicator';
import type { DatabaseServiceOptions, EntityClass } from './interfaces/database-options.interface';
import {
  DATABASE_ASYNC_OPTIONS_TYPE,
  DATABASE_MODULE_OPTIONS,
  DatabaseOptionsHost,
} from './nest/database-options.module-definition';

@Module({})
class DatabaseOptionsModule extends DatabaseOptionsHost {}

export type DatabaseModuleAsyncOptions = Omit<typeof DATABASE_ASYNC_OPTIONS_TYPE, 'service'>;

// Carries the validated options from TypeORM's options factory to its data source factory,
// which only receives what the options factory returned.
const RESOLVED = Symbol('herd:database:resolved');
type CarrierOptions = TypeOrmModuleOptions & { [RESOLVED]: ResolvedDatabaseOptions };

/**
 * One database per service on @nestjs/typeorm. The DataSource is registered under the service
 * name (`getServiceDataSourceToken(service)`), opened by @nestjs/typeorm's global core module
 * and destroyed by it in onApplicationShutdown.
 */
@Module({})
export class DatabaseModule {
  static forService(service: string, options: DatabaseServiceOptions): DynamicModule {
    assertServiceName(service);
    return DatabaseModule.build(service, DatabaseOptionsModule.forService({ ...options, service }));
  }

  static forServiceAsync(service: string, options: DatabaseModuleAsyncOptions): DynamicModule {
    assertServiceName(service);
    return DatabaseModule.build(
      service,
      DatabaseOptionsModule.forServiceAsync({ ...options, service }),
    );
  }

  /** Repositories of the service's entities, for `@InjectServiceRepository(Entity, service)`. */
  static forFeature(service: string, entities: EntityClass[]): DynamicModule {
    assertServiceName(service);
    return TypeOrmModule.forFeature(entities, service);
  }

  private static build(service: string, optionsModule: DynamicModule): DynamicModule {
    const logger = new Logger(`${DATABASE_LOGGER_CONTEXT}:${service}`);
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          name: service,
          // Exported only to this service's TypeORM core module, so services never see each other's.
          imports: [{ ...optionsModule, exports: [DATABASE_MODULE_OPTIONS] }],
          inject: [DATABASE_MODULE_OPTIONS],
          useFactory: (raw: DatabaseServiceOptions): CarrierOptions => {
            const resolved = resolveDatabaseOptions(service, raw);
            return {
              ...toDataSourceOptions(resolved),
              // TypeOrmCoreModule finds the data source to destroy at shutdown by this name.
              name: service,
              // Herd retries only transient connect errors, itself, with a bound.
              toRetry: () => false,
              [RESOLVED]: resolved,
            } as CarrierOptions;
          },
          dataSourceFactory: (options?: DataSourceOptions) =>
            openServiceDataSource((options as CarrierOptions)[RESOLVED], logger),
        }),
      ],
      providers: [HealthIndicatorService, DatabaseHealthIndicator],
      exports: [DatabaseHealthIndicator],
    };
  }
}
