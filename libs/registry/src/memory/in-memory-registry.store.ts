import { ServiceInstance } from '../interfaces/service-instance.interface';

type Health = 'passing' | 'warning' | 'critical';

/**
 * The "agent" behind InMemoryServiceRegistry. One default store per process, so several Nest
 * apps started in one test process find each other as they would through Consul.
 */
export class InMemoryRegistryStore {
  private readonly instances = new Map<string, { instance: ServiceInstance; health: Health }>();

  put(instance: ServiceInstance, health: Health = 'passing'): void {
    this.instances.set(instance.id, { instance, health });
  }

  remove(id: string): void {
    this.instances.delete(id);
  }

  /** Marks an instance's checks, as a failing readiness probe would. */
  setHealth(id: string, health: Health): void {
    const entry = this.instances.get(id);
    if (entry) entry.health = health;
  }

  health(id: string): Health | undefined {
    return this.instances.get(id)?.health;
  }

  passing(service: string): ServiceInstance[] {
    return [...this.instances.values()]
      .filter((entry) => entry.instance.name === service && entry.health === 'passing')
      .map((entry) => entry.instance);
  }

  clear(): void {
    this.instances.clear();
  }
}

export const defaultInMemoryRegistryStore = new InMemoryRegistryStore();
