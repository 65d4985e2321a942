import { UnknownBalancerError } from '../errors/unknown-balancer.error';
import { ServiceInstance } from '../interfaces/service-instance.interface';
import { createBalancer } from './create-balancer';
import { LeastInFlightBalancer } from './least-in-flight.balancer';
import { RandomBalancer } from './random.balancer';
import { RoundRobinBalancer } from './round-robin.balancer';

const instance = (id: string): ServiceInstance => ({
  id,
  name: 'svc',
  address: '127.0.0.1',
  port: 1,
  version: '1.0.0',
  tags: [],
  meta: {},
});
const [a, b, c] = ['a', 'b', 'c'].map(instance);

describe('load balancers', () => {
  it('round-robin rotates in id order whatever order discovery returns', () => {
    const balancer = new RoundRobinBalancer();
    const picks = [
      [c, a, b],
      [b, c, a],
      [a, b, c],
      [c, b, a],
    ].map((list) => balancer.pick(list).id);
    expect(picks).toEqual(['a', 'b', 'c', 'a']);
  });

  it('random picks by the random source', () => {
    const values = [0, 0.5, 0.99];
    const balancer = new RandomBalancer(() => values.shift() ?? 0);
    expect([a, b, c].map(() => balancer.pick([a, b, c]).id)).toEqual(['a', 'b', 'c']);
  });

  it('least-in-flight prefers idle instances and rotates among ties', () => {
    const balancer = new LeastInFlightBalancer();
    balancer.acquire(a);
    balancer.acquire(a);
    balancer.acquire(b);
    expect(balancer.pick([a, b, c]).id).toBe('c');
    balancer.acquire(c);
    const tied = [balancer.pick([a, b, c]).id, balancer.pick([a, b, c]).id];
    expect(tied.sort()).toEqual(['b', 'c']);
    balancer.release(a);
    balancer.release(a);
    expect(balancer.inFlightOf('a')).toBe(0);
    expect(balancer.pick([a, b, c]).id).toBe('a');
  });

  it('createBalancer accepts names and factories and rejects unknown names', () => {
    expect(createBalancer('random')).toBeInstanceOf(RandomBalancer);
    const custom = { pick: (list: readonly ServiceInstance[]) => list[list.length - 1] };
    expect(createBalancer(() => custom)).toBe(custom);
    expect(() => createBalancer('nope' as 'random')).toThrow(UnknownBalancerError);
  });
});
