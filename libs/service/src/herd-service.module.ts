import { DynamicModule, Module } from '@nestjs/common';
import type { Admin, Consumer } from 'kafkajs';
import { DataSource } from 'typeorm';
import {
  DatabaseModule,
  EntityClass,
  MigrationClass,
  getServiceDataSourceToken,
} from '@herd/database';
import {
  HealthLoggingOptions,
  HealthModule,
  KafkaConsumerProbe,
  ReadinessIndicator,
} from '@herd/health';
import {
  InMemoryRegistryStore,
  RegistryHealthIndicator,
  RegistryModule,
  RegistryModuleOptions,
} from '@herd/registry';
import {
  MemoryBroker,
  SAGA_ENTITIES,
  SagaDefinition,
  SAGA_MIGRATIONS,
  SagaHealthIndicator,
  SagaModule,
  SagaRuntime,
} from '@herd/saga';
import { serviceDatabaseUrlKey } from './config/cluster-env';
import { ServiceConfig } from './config/service-config';
import { serviceConfigModule } from './config/service-config.module';
import { SagaDeadLettersController } from './http/sagas/saga-dead-letters.controller';
import { SagasController } from './http/sagas/sagas.controller';

/** What a service brings on top of the toolkit. */
export interface HerdServiceParts {
  /** Every entity the service owns (the saga tables are added). */
  readonly entities: EntityClass[];
  /** Migrations run at boot on PostgreSQL, under an advisory lock (the saga tables' is added). */
  readonly migrations?: MigrationClass[];
  /** Sagas this service orchestrates. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly sagas?: readonly SagaDefinition<any>[];
  /** Folders the service writes media to: readiness fails when their disk is full. */
  readonly mediaFolders?: readonly string[];
  /**
   * Embedded mode (no Kafka, no Consul configured): services in one process share these, so
   * sagas and discovery work across them. Default: one broker and one store per process.
   */
  readonly embedded?: {
    readonly broker?: MemoryBroker;
    readonly registryStore?: InMemoryRegistryStore;
  };
  /** JSON log level and destination. Default: info, to stdout. */
  readonly logging?: HealthLoggingOptions;
  /** Registry timings (checks, anti-entropy, discovery, client). Default: @herd/registry's. */
  readonly registry?: Pick<
    RegistryModuleOptions,
    'checks' | 'registration' | 'discovery' | 'client'
  >;
}

/** What a caller (a demo, a test) may change about a service without touching its parts. */
export type HerdServiceOverrides = Pick<HerdServiceParts, 'embedded' | 'logging'>;

const processBroker = new MemoryBroker();

/**
 * Makes a Nest app a herd member in one import: its own database, sagas, registration and
 * discovery, health and metrics — on real servers when configured, embedded defaults otherwise —
 * and a global @nestjs/config ConfigModule whose environment is checked against
 * `ServiceEnvironment`.
 */
@Module({})
export class HerdServiceModule {
  static forService(config: ServiceConfig, parts: HerdServiceParts): DynamicModule {
    const embeddedDatabase = !config.databaseUrl;
    const database = DatabaseModule.forService(config.name, {
      url: config.databaseUrl,
      provision: config.databaseAdminUrl ? { adminUrl: config.databaseAdminUrl } : undefined,
      // Errors name what the user set, not the options: the URL comes from one of these.
      settingNames: {
        url: config.databaseAdminUrl ? 'HERD_POSTGRES_URL' : serviceDatabaseUrlKey(config.name),
        adminUrl: 'HERD_POSTGRES_URL',
      },
      entities: [...parts.entities, ...SAGA_ENTITIES],
      // The embedded SQLite database lives in memory for one run: its tables come from the
      // entities. Migrations are PostgreSQL's, run at boot under an advisory lock.
      migrations: embeddedDatabase ? [] : [...SAGA_MIGRATIONS, ...(parts.migrations ?? [])],
      synchronize: embeddedDatabase,
    });
    const dataSourceToken = getServiceDataSourceToken(config.name);
    // Readiness looks at the saga's real Kafka consumer: group membership, a live fetch loop, lag.
    const sagaConsumer: { probe?: KafkaConsumerProbe } = {};
    const saga = SagaModule.forRootAsync({
      imports: [database],
      inject: [dataSourceToken],
      useFactory: (dataSource: DataSource) => ({
        dataSource,
        serviceName: config.name,
        transport: config.kafkaBrokers
          ? {
              type: 'kafka' as const,
              brokers: [...config.kafkaBrokers],
              clientId: config.instanceId,
              watchConsumer: (consumer: Consumer, admin: Admin) => {
                const probe = new KafkaConsumerProbe(consumer, { name: 'saga', admin });
                sagaConsumer.probe = probe;
                return () => probe.close();
              },
            }
          : { type: 'memory' as const, broker: parts.embedded?.broker ?? processBroker },
        definitions: parts.sagas ?? [],
      }),
    });
    const registry = RegistryModule.forRoot({
      ...parts.registry,
      backend: config.consulUrl ? 'consul' : 'memory',
      memoryStore: parts.embedded?.registryStore,
      service: {
        name: config.name,
        version: config.version,
        id: config.instanceId,
        // Bound to one address: register that one, not the machine's first interface.
        address: config.host === '0.0.0.0' || config.host === '::' ? undefined : config.host,
      },
      consul: config.consulUrl ? { url: config.consulUrl, token: config.consulToken } : undefined,
    });
    const health = HealthModule.forRootAsync({
      imports: [database, saga, registry],
      inject: [dataSourceToken, SagaHealthIndicator, RegistryHealthIndicator, SagaRuntime],
      useFactory: (
        dataSource: DataSource,
        sagaHealth: SagaHealthIndicator,
        registryHealth: RegistryHealthIndicator,
        sagaRuntime: SagaRuntime,
      ) => ({
        service: config.name,
        version: config.version,
        instanceId: config.instanceId,
        dataSource,
        mediaFolders: parts.mediaFolders ?? [],
        logging: parts.logging,
        readiness: [
          { name: 'saga', check: () => sagaHealth.isHealthy() },
          ...(config.kafkaBrokers ? [kafkaReadiness(sagaConsumer, sagaRuntime)] : []),
        ],
        // Consul being down must not take every instance out of service: lookups are served
        // from the discovery cache, so the registry is reported on /health and in metrics only.
        dependencies: [{ name: 'registry', check: () => registryHealth.isHealthy() }],
      }),
    });
    return {
      module: HerdServiceModule,
      imports: [serviceConfigModule(config.name), database, saga, registry, health],
      // Every member serves its sagas (none for a pure participant) for the shepherd and operators.
      controllers: [SagasController, SagaDeadLettersController],
      exports: [database, saga, registry, health],
    };
  }
}

function kafkaReadiness(
  sagaConsumer: { probe?: KafkaConsumerProbe },
  sagaRuntime: SagaRuntime,
): ReadinessIndicator {
  return {
    name: 'kafka:saga',
    check: async () => {
      // A service that neither orchestrates nor handles commands (the shepherd) has no consumer.
      if (!sagaConsumer.probe && sagaRuntime.isStarted && sagaRuntime.consumedTopics.length === 0) {
        return { 'kafka:saga': { status: 'up' as const, consumes: 'nothing' } };
      }
      if (!sagaConsumer.probe) throw new Error('the saga consumer has not started yet');
      return sagaConsumer.probe.check();
    },
  };
}
