import { HEALTH_DEFAULTS, HEALTH_PATHS } from '@herd/health';
import { REGISTRY_DEFAULTS } from '@herd/registry';

const MS = 1000;

/**
 * Defaults of a manifest, each taken from the lib that owns the behaviour: the health paths and
 * drain phases of @herd/health, the check cadence Consul already uses through @herd/registry.
 */
export const MANIFEST_DEFAULTS = {
  imagePrefix: 'herd/',
  cpus: 0.5,
  memMb: 256,
  instances: 2,
  protocol: 'tcp',
  volumeMode: 'RW',
  livePath: `/${HEALTH_PATHS.controller}/${HEALTH_PATHS.live}`,
  readyPath: REGISTRY_DEFAULTS.httpPath,
  /** Boot plus migrations under their advisory lock. */
  gracePeriodSeconds: 60,
  intervalSeconds: REGISTRY_DEFAULTS.checkIntervalMs / MS,
  timeoutSeconds: REGISTRY_DEFAULTS.checkTimeoutMs / MS,
  maxConsecutiveFailures: 3,
  graceMs: HEALTH_DEFAULTS.graceMs,
  drainTimeoutMs: HEALTH_DEFAULTS.drainTimeoutMs,
  closeMs: 5_000,
  maxSurge: 0.5,
  routingGroup: 'external',
} as const;

/** Plain-text values under these names would leak a secret into the target's definition. */
export const SECRET_NAME_PATTERN = /PASSWORD|SECRET|TOKEN|CREDENTIAL|PRIVATE_KEY|API_KEY/i;
