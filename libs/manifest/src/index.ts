export { defineServiceManifest, manifestImageRef, rolloutBatch } from './define-service-manifest';
export { MANIFEST_DEFAULTS } from './manifest.constants';
export { ManifestError } from './errors/manifest.error';
export type {
  ManifestDrain,
  ManifestEnvValue,
  ManifestHealth,
  ManifestPort,
  ManifestRollout,
  ManifestRouting,
  ManifestVolume,
  SecretRef,
  ServiceManifest,
  ServiceManifestInput,
} from './service-manifest.interface';
