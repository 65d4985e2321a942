export { HerdServiceModule } from './herd-service.module';
export type { HerdServiceOverrides, HerdServiceParts } from './herd-service.module';
export { loadServiceConfig } from './config/service-config';
export type { ServiceConfig, ServiceConfigDefaults } from './config/service-config';
export { createValidationPipe } from './http/validation.pipe';
export type { FieldViolation } from './http/validation.pipe';
export { runService, startService } from './start-service';
export { ServiceConfigError } from './errors/service-config.error';
