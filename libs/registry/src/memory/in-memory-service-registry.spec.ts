import { NoHealthyInstanceError } from '../errors/no-healthy-instance.error';
import { InMemoryRegistryStore } from './in-memory-registry.store';
import { InMemoryServiceRegistry } from './in-memory-service-registry';

const registration = (id: string, version = '1.0.0', tags: string[] = []) => ({
  id,
  name: 'codec',
  address: '127.0.0.1',
  port: 3000,
  version,
  tags,
  meta: {},
});

describe('InMemoryServiceRegistry', () => {
  let store: InMemoryRegistryStore;
  let a: InMemoryServiceRegistry;
  let b: InMemoryServiceRegistry;

  beforeEach(() => {
    store = new InMemoryRegistryStore();
    a = new InMemoryServiceRegistry(store);
    b = new InMemoryServiceRegistry(store);
  });

  it('lets registries sharing a store find each other, with Meta.version set', async () => {
    await a.register(registration('codec-1'));
    await b.register(registration('codec-2', '2.0.0', ['gpu']));
    const all = await a.resolve('codec');
    expect(all.map((i) => i.id).sort()).toEqual(['codec-1', 'codec-2']);
    expect(all.find((i) => i.id === 'codec-2')?.meta).toEqual({ version: '2.0.0' });
    expect(
      (await b.resolve('codec', { version: '2.0.0', tags: ['gpu'] })).map((i) => i.id),
    ).toEqual(['codec-2']);
  });

  it('returns passing instances only, like Consul with passing=true', async () => {
    await a.register(registration('codec-1'));
    await b.register(registration('codec-2'));
    store.setHealth('codec-1', 'critical');
    expect((await b.resolve('codec')).map((i) => i.id)).toEqual(['codec-2']);
    expect(a.registrationStatus()).toMatchObject({ registered: true, checks: 'critical' });
  });

  it('throws NoHealthyInstanceError naming the filter when nothing matches', async () => {
    await a.register(registration('codec-1'));
    const error = await a.resolve('codec', { version: '9.0.0' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NoHealthyInstanceError);
    expect((error as NoHealthyInstanceError).retryable).toBe(true);
    expect((error as Error).message).toContain('version 9.0.0');
  });

  it('removes the instance at once on deregister and close', async () => {
    await a.register(registration('codec-1'));
    await a.close();
    await expect(b.resolve('codec')).rejects.toBeInstanceOf(NoHealthyInstanceError);
    expect(a.registrationStatus().registered).toBe(false);
  });
});
