export { ensureDockerEngine } from './docker-engine';
export { resolveNodeBaseImage, PUBLIC_NODE_IMAGE, BASE_IMAGE_KEY } from './base-images';
export {
  buildServiceImages,
  serviceImageSpecs,
  serviceImageName,
  SERVICE_IMAGES_FILE,
} from './service-images';
export type { BuiltImage, ServiceImageSpec } from './service-images';
export { writeRuntimeTree, EXCLUDED_FROM_RUNTIME } from './runtime-tree';
export type { RuntimeTree } from './runtime-tree';
export { ServiceContainer, SERVICE_CONTAINER_LIMITS } from './service-container';
export type { StartedServiceContainer } from './service-container';
export { dockerProbe, imageExists } from './docker-cli';
export { buildLocalInfraImages } from './infra-images';
export type { LocalInfraImages } from './infra-images';
