export { DatabaseModule } from './database.module';
export type { DatabaseModuleAsyncOptions } from './database.module';
export type {
  DatabaseConnectRetryOptions,
  DatabaseIsolation,
  DatabaseProvisionOptions,
  DatabaseServiceOptions,
  EntityClass,
  MigrationClass,
} from './interfaces/database-options.interface';
export type { DatabaseOptionsFactory } from './interfaces/database-options-factory.interface';
export {
  getServiceDataSourceToken,
  getServiceEntityManagerToken,
  InjectServiceDataSource,
  InjectServiceEntityManager,
  InjectServiceRepository,
} from './nest/database.tokens';
export { DatabaseHealthIndicator } from './health/database-health.indicator';
export type { DatabaseHealthCheckOptions } from './health/database-health.indicator';
export { withTransaction } from './transaction/with-transaction';
export type { TransactionIsolationLevel, TransactionOptions } from './transaction/with-transaction';
export { openServiceDataSource } from './core/open-service-data-source';
export { resolveDatabaseOptions } from './core/resolve-options';
export type { ResolvedDatabaseOptions } from './core/resolved-options';
export { provisioningStatements } from './core/provisioning';
export { provisionServiceDatabase } from './core/provision-service-database';
export type {
  ServiceDatabaseTarget,
  ProvisionedServiceDatabase,
} from './core/provision-service-database';
export type { DatabaseLogger } from './core/database-logger';
export { assertSelfContained, findOwnershipViolations } from './ownership/ownership-guard';
export type { OwnershipScope } from './ownership/ownership-guard';
export { ExternalRefColumn, getExternalRefs } from './references/external-ref';
export type {
  ExternalRef,
  ExternalRefDescriptor,
  ExternalRefTarget,
} from './references/external-ref';
export { Projection } from './projection/projection';
export type { ProjectionDefinition, ProjectionOutcome } from './projection/projection';
export * from './errors';
