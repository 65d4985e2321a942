export {
  infraUp,
  realServersUp,
  infraDown,
  infraStatus,
  infraLogFiles,
  readInfraEnvFile,
  resolveInfraPorts,
} from './infra';
export type { InfraEnv, InfraOptions, ServerStatus, StopReport } from './infra';
export { InfraStepError } from './infra-error';
export { aptInstall } from './apt';
export { resolveInfraPaths } from './infra-paths';
export type { InfraPaths } from './infra-paths';
export type { InfraServerName } from './infra-server';
export {
  INFRA_ENV_KEYS,
  INFRA_PORT_OFFSET_KEY,
  KAFKA_VERSION,
  CONSUL_VERSION,
  PROMETHEUS_VERSION,
} from './infra.constants';
export { upstreamPrometheus } from './upstream-prometheus';
export type { PrometheusBinaries } from './upstream-prometheus';
export type { InfraPorts } from './infra.constants';
export { consoleProgress, silentProgress } from './progress';
export type { ProgressReporter } from './progress';
export { herdInfraEnv } from './infra-env';
export type { HerdInfraEnv } from './infra-env';
export { ConsulDevAgent } from './consul-dev-agent';
export {
  createTestDatabase,
  markTestDatabase,
  dropTestDatabase,
  TEST_DATABASE_COMMENT,
  HERD_CLUSTER_COMMENT,
} from './test-databases';
export type { DropOutcome } from './test-databases';
