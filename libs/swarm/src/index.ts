export { DockerEngineClient } from './engine/docker-engine.client';
export type { DockerEngineClientOptions } from './engine/docker-engine.client';
export type * from './engine/engine-api.interface';
export {
  buildServiceSpec,
  swarmSecretName,
  swarmSecretNeeds,
  swarmServiceName,
} from './stack/build-service-spec';
export { renderSwarmStack } from './stack/render-swarm-stack';
export type {
  SwarmDockerSocket,
  SwarmSecretNeed,
  SwarmServiceOptions,
} from './stack/swarm-service-options.interface';
export { DOCKER_API_VERSION, SWARM_LABELS } from './swarm.constants';
export { DockerEngineError } from './errors/docker-engine.error';
export { DockerEngineUnreachableError } from './errors/docker-engine-unreachable.error';
export { SwarmDefinitionError } from './errors/swarm-definition.error';
export { ensureSwarm } from './engine/ensure-swarm';
export type { SwarmHandle } from './engine/ensure-swarm';
export { SwarmDeployer } from './deploy/swarm-deployer';
export type {
  SwarmChange,
  SwarmDeployOutcome,
  SwarmDeployerOptions,
} from './deploy/swarm-deployer';
export { describeProgress } from './deploy/swarm-progress';
export type { SwarmProgress, SwarmTaskProgress } from './deploy/swarm-progress';
export { swarmStatus } from './deploy/swarm-status';
export type { SwarmServiceStatus, SwarmTaskStatus } from './deploy/swarm-status';
export { SwarmSecretMissingError } from './errors/swarm-secret-missing.error';
export { SwarmTimeoutError } from './errors/swarm-timeout.error';
