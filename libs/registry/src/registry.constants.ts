export const REGISTRY_DEFAULTS = {
  consulUrl: 'http://127.0.0.1:8500',
  requestTimeoutMs: 5000,
  httpPath: '/health/ready',
  httpScheme: 'http',
  checkIntervalMs: 10_000,
  checkTimeoutMs: 5000,
  ttlMs: 15_000,
  deregisterCriticalAfterMs: 60_000,
  antiEntropyIntervalMs: 5000,
  readinessPollMs: 250,
  blockingWaitMs: 30_000,
  minQueryIntervalMs: 50,
  retryBaseMs: 250,
  retryMaxMs: 10_000,
  staleAfterMs: 60_000,
  holdEmptyAfterRecoveryMs: 15_000,
  clientTimeoutMs: 5000,
  clientConnectTimeoutMs: 1000,
  clientRetries: 2,
  balancer: 'round-robin',
  breakerErrorThresholdPercentage: 50,
  breakerVolumeThreshold: 5,
  breakerResetTimeoutMs: 10_000,
} as const;

/** Meta key carrying the instance's semver. */
export const VERSION_META_KEY = 'version';
/** Meta key saying an instance serves https (set when `checks.httpScheme` is https). */
export const SCHEME_META_KEY = 'scheme';

export const SERVICE_REGISTRY = Symbol('herd:registry:service-registry');
export const RESOLVED_REGISTRY_OPTIONS = Symbol('herd:registry:resolved-options');
export const SERVICE_CLIENT_PREFIX = 'herd:registry:client:';

export const REGISTRY_HEALTH_KEY = 'consul';
