export { defineServiceManifest, manifestImageRef } from './define-service-manifest';
export { MANIFEST_DEFAULTS } from './manifest.constants';
export { ManifestError } from './errors/manifest.error';
export type {
  ManifestDrain,
  ManifestEnvValue,
  ManifestHealth,
  ManifestPort,
  ManifestRouting,
  ManifestVolume,
  SecretRef,
  ServiceManifest,
  ServiceManifestInput,
} from './service-manifest.interface';
