import { LoadBalancer } from '../interfaces/load-balancer.interface';
import { ServiceInstance } from '../interfaces/service-instance.interface';

export class RandomBalancer implements LoadBalancer {
  constructor(private readonly random: () => number = Math.random) {}

  pick(instances: readonly ServiceInstance[]): ServiceInstance {
    return instances[Math.floor(this.random() * instances.length) % instances.length];
  }
}
