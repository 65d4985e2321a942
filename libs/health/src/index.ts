export { HealthModule } from './health.module';
export { HEALTH_MODULE_OPTIONS } from './health.module-definition';
export type {
  HealthLoggingOptions,
  HealthModuleOptions,
  HealthShutdownOptions,
  LogDestination,
  MediaFolderOption,
  NamedReadinessIndicator,
  ReadinessIndicator,
} from './interfaces/health-module-options.interface';
export { HealthService, type HealthSummary } from './core/health.service';
export { ShutdownState } from './shutdown/shutdown-state';
export {
  KafkaConsumerProbe,
  type KafkaConsumerPhase,
  type KafkaConsumerProbeOptions,
  type KafkaConsumerStatus,
} from './indicators/kafka-consumer.probe';
export { KafkaConsumerHealthIndicator } from './indicators/kafka-consumer-health.indicator';
export { herdCounter, herdGauge, herdHistogram } from './metrics/herd-metrics';
export { redactSecrets, redactText } from './logging/redact';
export { useHerdLogger } from './logging/use-herd-logger';
export { HealthOptionsError } from './errors/health-options.error';
export { HealthCheckTimeoutError } from './errors/health-check-timeout.error';
export { HEALTH_DEFAULTS, HEALTH_HEADERS, HEALTH_METRICS, HEALTH_PATHS } from './health.constants';
