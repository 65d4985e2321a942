// First, before anything imports Nest or pg: their import-time work a service never uses is skipped.
import './boot/deferred-nest-timestamps';
import './boot/pg-without-fetch';
export { HerdServiceModule } from './herd-service.module';
export type { HerdServiceOverrides, HerdServiceParts } from './herd-service.module';
export { loadServiceConfig } from './config/service-config';
export type { ServiceConfig, ServiceConfigDefaults } from './config/service-config';
export { clusterServiceEnv, serviceDatabaseUrlKey } from './config/cluster-env';
export type { ClusterEnvOptions } from './config/cluster-env';
export { createValidationPipe } from './http/validation.pipe';
export type { FieldViolation } from './http/validation.pipe';
export type { SagaListResponse } from './http/sagas/sagas.controller';
export type { SagaDeadLetterListResponse } from './http/sagas/saga-dead-letters.controller';
export { uuidParam } from './http/uuid-param.pipe';
export { runService, startService } from './start-service';
export type { StartServiceOptions } from './start-service';
export { ServiceConfigError } from './errors/service-config.error';
export type { ConfigProblem } from './errors/service-config.error';
export { ServiceEnvironment, validateServiceEnvironment } from './config/service-environment';
