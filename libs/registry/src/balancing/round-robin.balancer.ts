import { LoadBalancer } from '../interfaces/load-balancer.interface';
import { ServiceInstance } from '../interfaces/service-instance.interface';

/** Cycles through instances in id order, so the rotation survives the list being rebuilt. */
export class RoundRobinBalancer implements LoadBalancer {
  private next = 0;

  pick(instances: readonly ServiceInstance[]): ServiceInstance {
    const ordered = [...instances].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const chosen = ordered[this.next % ordered.length];
    this.next = (this.next + 1) % Number.MAX_SAFE_INTEGER;
    return chosen;
  }
}
