import { ServiceInstance } from './service-instance.interface';

/**
 * Picks one instance out of a non-empty list. `release` is called once the request that used
 * the pick has finished, which least-in-flight needs and the others ignore.
 */
export interface LoadBalancer {
  pick(instances: readonly ServiceInstance[]): ServiceInstance;
  acquire?(instance: ServiceInstance): void;
  release?(instance: ServiceInstance): void;
}

export type LoadBalancerName = 'round-robin' | 'random' | 'least-in-flight';
