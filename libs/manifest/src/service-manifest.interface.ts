/** An environment value kept in the target's secret store: the manifest names it, never holds it. */
export interface SecretRef {
  /** Where the target's secret store keeps the value, e.g. `herd/codec/database-url`. */
  readonly secret: string;
}

export type ManifestEnvValue = string | SecretRef;

export interface ManifestPort {
  /** Port name, `[a-z][a-z0-9-]*`: targets expose it by name (Marathon `PORT_HTTP`, Swarm). */
  readonly name: string;
  /** The port the service listens on inside its container. */
  readonly containerPort: number;
  readonly protocol: 'tcp' | 'udp';
}

export interface ManifestVolume {
  readonly containerPath: string;
  readonly hostPath: string;
  readonly mode: 'RO' | 'RW';
}

export interface ManifestHealth {
  /** Liveness: the orchestrator kills and replaces an instance that fails it. */
  readonly livePath: string;
  /** Readiness: no traffic (and no rolling-upgrade progress) until it answers 200. */
  readonly readyPath: string;
  /** Failures are ignored this long after start (boot, migrations). */
  readonly gracePeriodSeconds: number;
  readonly intervalSeconds: number;
  readonly timeoutSeconds: number;
  readonly maxConsecutiveFailures: number;
}

export interface ManifestDrain {
  /** @herd/health `shutdown.graceMs`: readiness is 503 but requests are still served. */
  readonly graceMs: number;
  /** @herd/health `shutdown.drainTimeoutMs`: longest wait for in-flight requests. */
  readonly drainTimeoutMs: number;
  /** Closing databases, producers and watches after the HTTP server stopped. */
  readonly closeMs: number;
  /** Whole seconds from SIGTERM to SIGKILL that cover all of the above. */
  readonly killGracePeriodSeconds: number;
}

export interface ManifestRollout {
  /**
   * How many instances a rolling update may run beyond the count, as a share of it (0 to 1):
   * new instances start before old ones stop, ⌊instances × maxSurge⌋ at a time (at least one).
   * Marathon's `maximumOverCapacity`; on Swarm the update's parallelism (start-first).
   */
  readonly maxSurge: number;
}

export interface ManifestRouting {
  /** Edge load balancer group (marathon-lb `HAPROXY_GROUP`). */
  readonly group: string;
  /** Virtual host the edge routes to the first port (marathon-lb `HAPROXY_0_VHOST`). */
  readonly vhost?: string;
}

/** What one service needs to run anywhere: the single source every deployment target reads. */
export interface ServiceManifest {
  /** DNS label: the Consul service name, the image name and the last segment of the app id. */
  readonly name: string;
  /** Image repository without a tag, e.g. `herd/codec`. */
  readonly image: string;
  /** Semver: the image tag, Consul `Meta.version` and a label on every target. */
  readonly version: string;
  /** The first port is the HTTP port health and readiness checks call. */
  readonly ports: readonly ManifestPort[];
  readonly cpus: number;
  readonly memMb: number;
  readonly instances: number;
  readonly env: Readonly<Record<string, ManifestEnvValue>>;
  readonly volumes: readonly ManifestVolume[];
  readonly health: ManifestHealth;
  readonly drain: ManifestDrain;
  readonly rollout: ManifestRollout;
  /** Tags the service registers in Consul with. */
  readonly tags: readonly string[];
  readonly routing: ManifestRouting;
}

type Mutable<T> = { -readonly [K in keyof T]?: T[K] };

/** What a service states; everything else has a default derived from @herd/health and @herd/registry. */
export interface ServiceManifestInput {
  readonly name: string;
  readonly image?: string;
  readonly version: string;
  readonly ports: ReadonlyArray<
    Pick<ManifestPort, 'name' | 'containerPort'> & Partial<ManifestPort>
  >;
  /** Default 0.5. */
  readonly cpus?: number;
  /** Default 256. */
  readonly memMb?: number;
  /** Default 2: a herd member is never alone. */
  readonly instances?: number;
  readonly env?: Readonly<Record<string, ManifestEnvValue>>;
  readonly volumes?: ReadonlyArray<
    Pick<ManifestVolume, 'containerPath' | 'hostPath'> & Partial<ManifestVolume>
  >;
  readonly health?: Mutable<ManifestHealth>;
  readonly drain?: Mutable<Omit<ManifestDrain, 'killGracePeriodSeconds'>>;
  /** Default `maxSurge: 0.5`: one instance at a time up to three, half as many again beyond. */
  readonly rollout?: Mutable<ManifestRollout>;
  readonly tags?: readonly string[];
  readonly routing?: Mutable<ManifestRouting>;
}
