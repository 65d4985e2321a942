import { NoHealthyInstanceError } from '../errors/no-healthy-instance.error';
import { matchesFilter } from '../discovery/instance-filter';
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
import { VERSION_META_KEY } from '../registry.constants';
import { InMemoryRegistryStore, defaultInMemoryRegistryStore } from './in-memory-registry.store';

/**
 * ServiceRegistry without Consul, same contract: passing instances only, version/tag filters,
 * NoHealthyInstanceError when nothing matches. There are no checks to run, so health changes come
 * from `store.setHealth()` (tests) and deregistration is immediate.
 */
export class InMemoryServiceRegistry implements ServiceRegistry {
  private own?: ServiceRegistration;
  private readonly seen = new Map<string, number>();

  constructor(readonly store: InMemoryRegistryStore = defaultInMemoryRegistryStore) {}

  async register(registration: ServiceRegistration): Promise<void> {
    this.own = registration;
    this.store.put({
      id: registration.id,
      name: registration.name,
      address: registration.address,
      port: registration.port,
      version: registration.version,
      tags: [...registration.tags],
      meta: { ...registration.meta, [VERSION_META_KEY]: registration.version },
    });
  }

  async deregister(): Promise<void> {
    if (this.own) this.store.remove(this.own.id);
    this.own = undefined;
  }

  async resolve(service: string, filter?: ResolveFilter): Promise<ServiceInstance[]> {
    const all = this.store.passing(service);
    this.seen.set(service, all.length);
    const found = all.filter((instance) => matchesFilter(instance, filter));
    if (found.length === 0) throw new NoHealthyInstanceError(service, filter);
    return found;
  }

  registrationStatus(): RegistrationStatus {
    const health = this.own ? this.store.health(this.own.id) : undefined;
    return {
      registered: health !== undefined,
      instanceId: this.own?.id,
      checks: health,
      reRegistrations: 0,
    };
  }

  watchStatus(): WatchStatus[] {
    const now = Date.now();
    return [...this.seen].map(([service, instances]) => ({
      service,
      lastSuccessAt: now,
      instances,
    }));
  }

  async close(): Promise<void> {
    await this.deregister();
  }
}
