import { ServiceWatchCache } from '../discovery/service-watch-cache';
import {
  ResolveFilter,
  ServiceInstance,
  ServiceRegistration,
} from '../interfaces/service-instance.interface';
import {
  RegistrationStatus,
  ServiceRegistry,
  WatchStatus,
} from '../interfaces/service-registry.interface';
import { ResolvedRegistryOptions } from '../registry-options.validator';
import { VERSION_META_KEY } from '../registry.constants';
import { ConsulAgentClient, ConsulHealthEntry } from './consul-agent.client';
import { ConsulRegistrar } from './consul-registrar';

/** The production ServiceRegistry: registration through the local agent, discovery from a watch cache. */
export class ConsulServiceRegistry implements ServiceRegistry {
  readonly client: ConsulAgentClient;
  private readonly registrar: ConsulRegistrar;
  private readonly cache: ServiceWatchCache;

  constructor(options: ResolvedRegistryOptions) {
    this.client = new ConsulAgentClient(options.consul);
    this.registrar = new ConsulRegistrar(this.client, options);
    this.cache = new ServiceWatchCache(
      (service) => async (index, waitMs, signal) => {
        const answer = await this.client.healthService(service, index, waitMs, signal);
        return { index: answer.index, body: answer.body.map(toInstance) };
      },
      {
        waitMs: options.discovery.blockingWaitMs,
        minIntervalMs: options.discovery.minQueryIntervalMs,
        retryBaseMs: options.discovery.retryBaseMs,
        retryMaxMs: options.discovery.retryMaxMs,
      },
      options.consul.requestTimeoutMs,
      options.discovery.holdEmptyAfterRecoveryMs,
    );
  }

  register(registration: ServiceRegistration): Promise<void> {
    return this.registrar.register(registration);
  }

  deregister(): Promise<void> {
    return this.registrar.deregister();
  }

  resolve(service: string, filter?: ResolveFilter): Promise<ServiceInstance[]> {
    return this.cache.resolve(service, filter);
  }

  registrationStatus(): RegistrationStatus {
    return this.registrar.status();
  }

  watchStatus(): WatchStatus[] {
    return this.cache.status();
  }

  async close(): Promise<void> {
    await this.registrar.deregister().catch(() => undefined);
    await this.cache.close();
    this.client.close();
  }
}

export function toInstance(entry: ConsulHealthEntry): ServiceInstance {
  const meta = entry.Service.Meta ?? {};
  return {
    id: entry.Service.ID,
    name: entry.Service.Service,
    // An empty service address means "the node's address" in Consul.
    address: entry.Service.Address || entry.Node.Address,
    port: entry.Service.Port,
    version: meta[VERSION_META_KEY] ?? '',
    tags: entry.Service.Tags ?? [],
    meta,
  };
}
