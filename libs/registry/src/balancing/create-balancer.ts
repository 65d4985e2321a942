import { UnknownBalancerError } from '../errors/unknown-balancer.error';
import { LoadBalancer, LoadBalancerName } from '../interfaces/load-balancer.interface';
import { LeastInFlightBalancer } from './least-in-flight.balancer';
import { RandomBalancer } from './random.balancer';
import { RoundRobinBalancer } from './round-robin.balancer';

const BALANCERS: Record<LoadBalancerName, () => LoadBalancer> = {
  'round-robin': () => new RoundRobinBalancer(),
  random: () => new RandomBalancer(),
  'least-in-flight': () => new LeastInFlightBalancer(),
};

/** A fresh balancer (balancers keep per-target state) from a strategy name or a factory. */
export function createBalancer(spec: LoadBalancerName | (() => LoadBalancer)): LoadBalancer {
  if (typeof spec === 'function') return spec();
  const factory = BALANCERS[spec];
  if (!factory) throw new UnknownBalancerError(String(spec), Object.keys(BALANCERS));
  return factory();
}
