/** One running, passing instance of a service as discovery sees it. */
export interface ServiceInstance {
  /** Unique instance id (Consul service ID). */
  readonly id: string;
  /** Logical service name (Consul service Name). */
  readonly name: string;
  readonly address: string;
  readonly port: number;
  /** `Meta.version`: the semver of the build this instance runs. */
  readonly version: string;
  readonly tags: readonly string[];
  readonly meta: Readonly<Record<string, string>>;
}

/** Narrows `resolve()`: instances must carry this exact version and every one of these tags. */
export interface ResolveFilter {
  version?: string;
  tags?: readonly string[];
}

/** What this process registers for itself. */
export interface ServiceRegistration {
  id: string;
  name: string;
  address: string;
  port: number;
  version: string;
  tags: readonly string[];
  meta: Readonly<Record<string, string>>;
}
