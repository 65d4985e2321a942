import { hostname, networkInterfaces } from 'node:os';
import { randomBytes } from 'node:crypto';
import { RegistryOptionsError } from './errors/registry-options.error';
import { LoadBalancer, LoadBalancerName } from './interfaces/load-balancer.interface';
import {
  RegistryClientOptions,
  RegistryModuleOptions,
  RegistryTlsOptions,
} from './interfaces/registry-options.interface';
import { InMemoryRegistryStore } from './memory/in-memory-registry.store';
import { REGISTRY_DEFAULTS } from './registry.constants';

/** Every option with its default applied; what the rest of the library works from. */
export interface ResolvedRegistryOptions {
  backend: 'consul' | 'memory';
  memoryStore?: InMemoryRegistryStore;
  service: {
    name: string;
    version: string;
    id: string;
    address: string;
    port?: number;
    tags: string[];
    meta: Record<string, string>;
  };
  consul: {
    url: URL;
    token?: string;
    tls?: RegistryTlsOptions;
    datacenter?: string;
    requestTimeoutMs: number;
  };
  checks: {
    httpPath: string;
    httpScheme: 'http' | 'https';
    intervalMs: number;
    timeoutMs: number;
    ttlMs: number;
    deregisterCriticalAfterMs: number;
  };
  registration: { auto: boolean; antiEntropyIntervalMs: number; readinessPollMs: number };
  discovery: {
    blockingWaitMs: number;
    minQueryIntervalMs: number;
    retryBaseMs: number;
    retryMaxMs: number;
    staleAfterMs: number;
    holdEmptyAfterRecoveryMs: number;
  };
  client: ResolvedClientOptions;
}

export interface ResolvedClientOptions {
  timeoutMs: number;
  connectTimeoutMs: number;
  deadlineMs: number;
  retries: number;
  balancer: LoadBalancerName | (() => LoadBalancer);
  breaker: { errorThresholdPercentage: number; volumeThreshold: number; resetTimeoutMs: number };
  scheme?: 'http' | 'https';
  tls?: RegistryTlsOptions;
}

const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;
// Consul service names double as DNS labels.
const SERVICE_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const BALANCERS: readonly string[] = ['round-robin', 'random', 'least-in-flight'];

/** Applies defaults and rejects bad options at boot, naming the option key. */
export function validateRegistryOptions(options: RegistryModuleOptions): ResolvedRegistryOptions {
  if (!options || typeof options !== 'object') {
    throw new RegistryOptionsError('(options)', 'must be an object');
  }
  const backend = options.backend ?? 'consul';
  if (backend !== 'consul' && backend !== 'memory') {
    throw new RegistryOptionsError(
      'backend',
      `must be "consul" or "memory", got ${JSON.stringify(backend)}`,
    );
  }
  const service = options.service;
  if (!service || typeof service !== 'object') {
    throw new RegistryOptionsError('service', 'is required ({ name, version })');
  }
  if (typeof service.name !== 'string' || !SERVICE_NAME.test(service.name)) {
    throw new RegistryOptionsError(
      'service.name',
      `must be a lower-case DNS label (a-z, 0-9, -), got ${JSON.stringify(service.name)}`,
    );
  }
  if (typeof service.version !== 'string' || !SEMVER.test(service.version)) {
    throw new RegistryOptionsError(
      'service.version',
      `must be a semver like 1.4.2, got ${JSON.stringify(service.version)}`,
    );
  }
  if (service.id !== undefined && (typeof service.id !== 'string' || service.id.length === 0)) {
    throw new RegistryOptionsError('service.id', 'must be a non-empty string');
  }
  if (service.port !== undefined) positiveInt('service.port', service.port, 65535);
  if (
    service.tags !== undefined &&
    (!Array.isArray(service.tags) || service.tags.some((t) => typeof t !== 'string'))
  ) {
    throw new RegistryOptionsError('service.tags', 'must be an array of strings');
  }
  if (service.meta !== undefined) {
    if (
      typeof service.meta !== 'object' ||
      Object.values(service.meta).some((v) => typeof v !== 'string')
    ) {
      throw new RegistryOptionsError('service.meta', 'must map strings to strings');
    }
  }

  const consul = options.consul ?? {};
  let url: URL;
  try {
    url = new URL(consul.url ?? REGISTRY_DEFAULTS.consulUrl);
  } catch {
    throw new RegistryOptionsError(
      'consul.url',
      'must be an absolute URL like http://127.0.0.1:8500',
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new RegistryOptionsError('consul.url', `must use http: or https:, got ${url.protocol}`);
  }
  if (url.username || url.password) {
    throw new RegistryOptionsError('consul.url', 'must not carry credentials; use consul.token');
  }
  if (consul.tls && url.protocol !== 'https:') {
    throw new RegistryOptionsError('consul.tls', 'is set but consul.url is not https:');
  }
  if (
    consul.token !== undefined &&
    (typeof consul.token !== 'string' || consul.token.length === 0)
  ) {
    throw new RegistryOptionsError('consul.token', 'must be a non-empty string');
  }

  const checks = options.checks ?? {};
  const httpPath = checks.httpPath ?? REGISTRY_DEFAULTS.httpPath;
  if (typeof httpPath !== 'string' || !httpPath.startsWith('/')) {
    throw new RegistryOptionsError(
      'checks.httpPath',
      `must start with "/", got ${JSON.stringify(httpPath)}`,
    );
  }
  const httpScheme = checks.httpScheme ?? REGISTRY_DEFAULTS.httpScheme;
  if (httpScheme !== 'http' && httpScheme !== 'https') {
    throw new RegistryOptionsError('checks.httpScheme', 'must be "http" or "https"');
  }
  const ttlMs = positiveInt('checks.ttlMs', checks.ttlMs ?? REGISTRY_DEFAULTS.ttlMs);
  const deregisterCriticalAfterMs =
    checks.deregisterCriticalAfterMs ?? REGISTRY_DEFAULTS.deregisterCriticalAfterMs;
  if (!Number.isInteger(deregisterCriticalAfterMs) || deregisterCriticalAfterMs < 0) {
    throw new RegistryOptionsError('checks.deregisterCriticalAfterMs', 'must be an integer >= 0');
  }

  const retryBaseMs = positiveInt(
    'discovery.retryBaseMs',
    options.discovery?.retryBaseMs ?? REGISTRY_DEFAULTS.retryBaseMs,
  );
  const retryMaxMs = positiveInt(
    'discovery.retryMaxMs',
    options.discovery?.retryMaxMs ?? REGISTRY_DEFAULTS.retryMaxMs,
  );
  if (retryMaxMs < retryBaseMs) {
    throw new RegistryOptionsError('discovery.retryMaxMs', 'must be >= discovery.retryBaseMs');
  }
  const blockingWaitMs = positiveInt(
    'discovery.blockingWaitMs',
    options.discovery?.blockingWaitMs ?? REGISTRY_DEFAULTS.blockingWaitMs,
  );
  // Consul caps `wait` at 10 minutes.
  if (blockingWaitMs > 600_000)
    throw new RegistryOptionsError('discovery.blockingWaitMs', 'must be <= 600000');

  if (
    options.memoryStore !== undefined &&
    !(options.memoryStore instanceof InMemoryRegistryStore)
  ) {
    throw new RegistryOptionsError('memoryStore', 'must be an InMemoryRegistryStore');
  }

  return {
    backend,
    memoryStore: options.memoryStore,
    service: {
      name: service.name,
      version: service.version,
      id: service.id ?? `${service.name}-${hostname()}-${randomBytes(4).toString('hex')}`,
      address: service.address ?? defaultAddress(),
      port: service.port,
      tags: [...(service.tags ?? [])],
      meta: { ...(service.meta ?? {}) },
    },
    consul: {
      url,
      token: consul.token,
      tls: consul.tls,
      datacenter: consul.datacenter,
      requestTimeoutMs: positiveInt(
        'consul.requestTimeoutMs',
        consul.requestTimeoutMs ?? REGISTRY_DEFAULTS.requestTimeoutMs,
      ),
    },
    checks: {
      httpPath,
      httpScheme,
      intervalMs: positiveInt(
        'checks.intervalMs',
        checks.intervalMs ?? REGISTRY_DEFAULTS.checkIntervalMs,
      ),
      timeoutMs: positiveInt(
        'checks.timeoutMs',
        checks.timeoutMs ?? REGISTRY_DEFAULTS.checkTimeoutMs,
      ),
      ttlMs,
      deregisterCriticalAfterMs,
    },
    registration: {
      auto: options.registration?.auto ?? true,
      antiEntropyIntervalMs: positiveInt(
        'registration.antiEntropyIntervalMs',
        options.registration?.antiEntropyIntervalMs ?? REGISTRY_DEFAULTS.antiEntropyIntervalMs,
      ),
      readinessPollMs: positiveInt(
        'registration.readinessPollMs',
        options.registration?.readinessPollMs ?? REGISTRY_DEFAULTS.readinessPollMs,
      ),
    },
    discovery: {
      blockingWaitMs,
      minQueryIntervalMs: nonNegativeInt(
        'discovery.minQueryIntervalMs',
        options.discovery?.minQueryIntervalMs ?? REGISTRY_DEFAULTS.minQueryIntervalMs,
      ),
      retryBaseMs,
      retryMaxMs,
      staleAfterMs: positiveInt(
        'discovery.staleAfterMs',
        options.discovery?.staleAfterMs ?? REGISTRY_DEFAULTS.staleAfterMs,
      ),
      holdEmptyAfterRecoveryMs: nonNegativeInt(
        'discovery.holdEmptyAfterRecoveryMs',
        options.discovery?.holdEmptyAfterRecoveryMs ?? REGISTRY_DEFAULTS.holdEmptyAfterRecoveryMs,
      ),
    },
    client: resolveClientOptions(options.client),
  };
}

/**
 * The service client's options with defaults applied; `base` holds the module's own when these
 * are one target's overrides (`forFeature([{ service, client }])`), and `key` prefixes errors.
 */
export function resolveClientOptions(
  client: RegistryClientOptions | undefined,
  base?: ResolvedClientOptions,
  key = 'client',
): ResolvedClientOptions {
  const balancer = client?.balancer ?? base?.balancer ?? REGISTRY_DEFAULTS.balancer;
  if (typeof balancer !== 'function' && !BALANCERS.includes(balancer)) {
    throw new RegistryOptionsError(
      `${key}.balancer`,
      `must be one of ${BALANCERS.join(', ')} or a factory function`,
    );
  }
  const retries = client?.retries ?? base?.retries ?? REGISTRY_DEFAULTS.clientRetries;
  if (!Number.isInteger(retries) || retries < 0) {
    throw new RegistryOptionsError(`${key}.retries`, 'must be an integer >= 0');
  }
  const threshold =
    client?.breaker?.errorThresholdPercentage ??
    base?.breaker.errorThresholdPercentage ??
    REGISTRY_DEFAULTS.breakerErrorThresholdPercentage;
  if (typeof threshold !== 'number' || threshold <= 0 || threshold > 100) {
    throw new RegistryOptionsError(
      `${key}.breaker.errorThresholdPercentage`,
      'must be in (0, 100]',
    );
  }
  const scheme = client?.scheme ?? base?.scheme;
  if (scheme !== undefined && scheme !== 'http' && scheme !== 'https') {
    throw new RegistryOptionsError(`${key}.scheme`, 'must be "http" or "https"');
  }
  const timeoutMs = positiveInt(
    `${key}.timeoutMs`,
    client?.timeoutMs ?? base?.timeoutMs ?? REGISTRY_DEFAULTS.clientTimeoutMs,
  );
  const connectTimeoutMs = positiveInt(
    `${key}.connectTimeoutMs`,
    client?.connectTimeoutMs ?? base?.connectTimeoutMs ?? REGISTRY_DEFAULTS.clientConnectTimeoutMs,
  );
  return {
    timeoutMs,
    connectTimeoutMs,
    // Enough for every attempt to connect and answer in time, unless set.
    deadlineMs: positiveInt(
      `${key}.deadlineMs`,
      client?.deadlineMs ??
        (client?.timeoutMs || client?.connectTimeoutMs || client?.retries !== undefined
          ? undefined
          : base?.deadlineMs) ??
        (retries + 1) * (timeoutMs + connectTimeoutMs),
    ),
    retries,
    balancer,
    breaker: {
      errorThresholdPercentage: threshold,
      volumeThreshold: nonNegativeInt(
        `${key}.breaker.volumeThreshold`,
        client?.breaker?.volumeThreshold ??
          base?.breaker.volumeThreshold ??
          REGISTRY_DEFAULTS.breakerVolumeThreshold,
      ),
      resetTimeoutMs: positiveInt(
        `${key}.breaker.resetTimeoutMs`,
        client?.breaker?.resetTimeoutMs ??
          base?.breaker.resetTimeoutMs ??
          REGISTRY_DEFAULTS.breakerResetTimeoutMs,
      ),
    },
    scheme,
    tls: client?.tls ?? base?.tls,
  };
}

function positiveInt(key: string, value: unknown, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0 || value > max) {
    throw new RegistryOptionsError(
      key,
      `must be an integer in 1..${max}, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function nonNegativeInt(key: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new RegistryOptionsError(key, `must be an integer >= 0, got ${JSON.stringify(value)}`);
  }
  return value;
}

function defaultAddress(): string {
  for (const addresses of Object.values(networkInterfaces())) {
    const external = addresses?.find((a) => a.family === 'IPv4' && !a.internal);
    if (external) return external.address;
  }
  return '127.0.0.1';
}
