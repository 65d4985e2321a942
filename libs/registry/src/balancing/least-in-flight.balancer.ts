import { LoadBalancer } from '../interfaces/load-balancer.interface';
import { ServiceInstance } from '../interfaces/service-instance.interface';
import { RoundRobinBalancer } from './round-robin.balancer';

/** Picks the instance with the fewest requests in progress from this process; ties rotate. */
export class LeastInFlightBalancer implements LoadBalancer {
  private readonly inFlight = new Map<string, number>();
  private readonly tieBreaker = new RoundRobinBalancer();

  pick(instances: readonly ServiceInstance[]): ServiceInstance {
    const load = (instance: ServiceInstance) => this.inFlight.get(instance.id) ?? 0;
    const least = Math.min(...instances.map(load));
    return this.tieBreaker.pick(instances.filter((instance) => load(instance) === least));
  }

  acquire(instance: ServiceInstance): void {
    this.inFlight.set(instance.id, (this.inFlight.get(instance.id) ?? 0) + 1);
  }

  release(instance: ServiceInstance): void {
    const left = (this.inFlight.get(instance.id) ?? 1) - 1;
    if (left <= 0) this.inFlight.delete(instance.id);
    else this.inFlight.set(instance.id, left);
  }

  inFlightOf(instanceId: string): number {
    return this.inFlight.get(instanceId) ?? 0;
  }
}
