import { ResolveFilter, ServiceInstance, ServiceRegistration } from './service-instance.interface';

/** Freshness of the discovery cache for one watched service. */
export interface WatchStatus {
  service: string;
  /** Epoch ms of the last successful answer from the registry, undefined before the first. */
  lastSuccessAt?: number;
  /** Epoch ms of the last failure, undefined when the last call succeeded. */
  lastErrorAt?: number;
  lastError?: string;
  instances: number;
}

/** State of this process's own registration. */
export interface RegistrationStatus {
  registered: boolean;
  instanceId?: string;
  /** Status of the instance's checks as last reported by the agent. */
  checks?: 'passing' | 'warning' | 'critical';
  /** How many times the registration was restored after the agent lost it. */
  reRegistrations: number;
}

/**
 * The registry seam: Consul in production, in memory for unit tests and embedded use. Both give
 * the same guarantees to callers: `resolve()` returns passing instances only and never throws
 * because the backend is briefly unreachable once it has answered once.
 */
export interface ServiceRegistry {
  register(registration: ServiceRegistration): Promise<void>;
  deregister(): Promise<void>;
  /** Passing instances of `service` matching `filter`; throws NoHealthyInstanceError when none. */
  resolve(service: string, filter?: ResolveFilter): Promise<ServiceInstance[]>;
  registrationStatus(): RegistrationStatus;
  watchStatus(): WatchStatus[];
  close(): Promise<void>;
}
