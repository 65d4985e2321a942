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
export type { SwarmSecretNeed, SwarmServiceOptions } from './stack/swarm-service-options.interface';
export { DOCKER_API_VERSION, SWARM_LABELS } from './swarm.constants';
export { DockerEngineError } from './errors/docker-engine.error';
export { DockerEngineUnreachableError } from './errors/docker-engine-unreachable.error';
export { SwarmDefinitionError } from './errors/swarm-definition.error';
export { ensureSwarm } from './engine/ensure-swarm';
export type { SwarmHandle } from './engine/ensure-swarm';
