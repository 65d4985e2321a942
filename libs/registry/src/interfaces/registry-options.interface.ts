import { InMemoryRegistryStore } from '../memory/in-memory-registry.store';
import { LoadBalancer, LoadBalancerName } from './load-balancer.interface';

export interface RegistryServiceOptions {
  /** Logical service name, e.g. `courseware`. Required. */
  name: string;
  /** Semver of this build, registered as `Meta.version`. Required. */
  version: string;
  /** Unique instance id. Default: `<name>-<hostname>-<8 random hex>`. */
  id?: string;
  /** Address other services reach this one at. Default: first non-internal IPv4, else 127.0.0.1. */
  address?: string;
  /** Port to register. Default: the port the Nest HTTP server actually listens on. */
  port?: number;
  /** Default: []. */
  tags?: string[];
  /** Extra Consul Meta; `version` is always set from `version`. Default: {}. */
  meta?: Record<string, string>;
}

export interface RegistryTlsOptions {
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  /** Default: true. */
  rejectUnauthorized?: boolean;
}

export interface RegistryConsulOptions {
  /** Agent HTTP API base. Default: `http://127.0.0.1:8500`. */
  url?: string;
  /** ACL token, sent as X-Consul-Token; never logged. Default: none. */
  token?: string;
  /** TLS material for an `https:` url. */
  tls?: RegistryTlsOptions;
  /** Datacenter for discovery queries. Default: the agent's. */
  datacenter?: string;
  /** Timeout of a non-blocking call to the agent. Default: 5000 ms. */
  requestTimeoutMs?: number;
}

export interface RegistryCheckOptions {
  /** Readiness path Consul's HTTP check calls. Default: `/health/ready`. */
  httpPath?: string;
  /** `http` or `https` for the HTTP check. Default: `http`. */
  httpScheme?: 'http' | 'https';
  /** HTTP check interval. Default: 10000 ms. */
  intervalMs?: number;
  /** HTTP check timeout. Default: 5000 ms. */
  timeoutMs?: number;
  /** TTL of the heartbeat check; the instance passes it every ttl/3. Default: 15000 ms. */
  ttlMs?: number;
  /**
   * DeregisterCriticalServiceAfter on both checks. Consul clamps it to at least 1 minute and
   * reaps every 30 s. Default: 60000 ms. 0 disables it (not recommended).
   */
  deregisterCriticalAfterMs?: number;
}

export interface RegistryRegistrationOptions {
  /**
   * Register automatically once the Nest HTTP server emits 'listening'. Default: true. When
   * false, call `RegistryService.register()` yourself (e.g. a worker without HTTP server).
   */
  auto?: boolean;
  /** How often the agent is asked whether it still holds the registration. Default: 5000 ms. */
  antiEntropyIntervalMs?: number;
  /**
   * An instance registered while not ready asks its own readiness this often, and at the first
   * 2xx registers its readiness check passing instead of waiting for the agent's first run (up
   * to one `checks.intervalMs`). Default: 250 ms.
   */
  readinessPollMs?: number;
}

export interface RegistryDiscoveryOptions {
  /** `wait` of each blocking query. Default: 30000 ms. */
  blockingWaitMs?: number;
  /** Minimum time between two blocking queries of one watch (rate limit). Default: 50 ms. */
  minQueryIntervalMs?: number;
  /** First retry delay after an error; doubles with full jitter. Default: 250 ms. */
  retryBaseMs?: number;
  /** Cap of the retry delay. Default: 10000 ms. */
  retryMaxMs?: number;
  /** Health reports the cache as stale when a watch has not succeeded for this long. Default: 60000 ms. */
  staleAfterMs?: number;
  /**
   * Right after an outage (failed queries, or the agent restarted) an empty answer does not
   * replace a non-empty cached set for this long, unless instances show up sooner: an agent that
   * lost its state knows nobody until the instances register again (every
   * `registration.antiEntropyIntervalMs`). Default: 15000 ms. 0 accepts it at once.
   */
  holdEmptyAfterRecoveryMs?: number;
}

export interface RegistryClientOptions {
  /**
   * Time to open a connection to an instance. An attempt that cannot connect in time (a host
   * gone, a full backlog) sent nothing, so even a POST moves to another instance. Default: 1000 ms.
   */
  connectTimeoutMs?: number;
  /** Per-attempt time for the answer, once connected. Default: 5000 ms. */
  timeoutMs?: number;
  /**
   * Overall time for a request, every attempt included; a request's `signal` may end it sooner.
   * Default: (retries + 1) × (connectTimeoutMs + timeoutMs).
   */
  deadlineMs?: number;
  /** `http` or `https` for every instance; default: an instance's `Meta.scheme`, else `http`. */
  scheme?: 'http' | 'https';
  /** TLS material and verification for `https` instances (Node's https agent options). */
  tls?: RegistryTlsOptions;
  /** Extra attempts on other instances for idempotent requests. Default: 2. */
  retries?: number;
  /** Load balancing: a name or your own LoadBalancer factory. Default: `round-robin`. */
  balancer?: LoadBalancerName | (() => LoadBalancer);
  /** Per-instance circuit breaker (opossum). */
  breaker?: {
    /** Failure percentage that opens the circuit. Default: 50. */
    errorThresholdPercentage?: number;
    /** Minimum calls in the window before it may open. Default: 5. */
    volumeThreshold?: number;
    /** Time the circuit stays open before a trial call. Default: 10000 ms. */
    resetTimeoutMs?: number;
  };
}

export interface RegistryModuleOptions {
  /** `consul` (default) or `memory` (in-process; unit tests, embedded use). */
  backend?: 'consul' | 'memory';
  /** Store the `memory` backend registers in. Default: one store per process. */
  memoryStore?: InMemoryRegistryStore;
  service: RegistryServiceOptions;
  consul?: RegistryConsulOptions;
  checks?: RegistryCheckOptions;
  registration?: RegistryRegistrationOptions;
  discovery?: RegistryDiscoveryOptions;
  client?: RegistryClientOptions;
}
