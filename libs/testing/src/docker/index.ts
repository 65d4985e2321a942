export { ensureDockerEngine } from './docker-engine';
export { resolveNodeBaseImage, PUBLIC_NODE_IMAGE, BASE_IMAGE_KEY } from './base-images';
export { buildServiceImages, SERVICE_APPS } from './service-images';
export type { BuiltImage, ServiceApp } from './service-images';
