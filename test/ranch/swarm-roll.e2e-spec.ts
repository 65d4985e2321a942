import { SwarmDeployer, SwarmProgress } from '@herd/swarm';
import { eventually } from '@herd/testing';
import { RanchFixture } from './ranch-fixture';

/**
 * codec on a real one-node swarm, through @herd/swarm's deployer: a rolling update to a new image
 * version under a steady stream of requests made through the registry client loses none, and
 * both versions sit side by side in Consul on the way; a version that never becomes ready is
 * rolled back by Swarm itself and the deploy says so.
 */
describe('the ranch: codec rolled on a real swarm', () => {
  const ranch = new RanchFixture();
  const seen: SwarmProgress[] = [];
  const deployer = new SwarmDeployer(ranch.docker, {
    pollIntervalMs: 500,
    onProgress: (progress) => seen.push(progress),
  });
  const first = '0.1.0-ranch';
  const next = '0.1.1-ranch';

  beforeAll(async () => {
    await ranch.start();
    ranch.imageVersion(first);
    ranch.imageVersion(next);
    ranch.imageVersion('0.1.2-never-ready');
    const created = await deployer.deploy(ranch.spec(first, 2), { timeoutMs: 180_000 });
    expect(created).toMatchObject({ result: 'converged', created: true });
    await eventually(
      '2 codec tasks passing in Consul',
      async () => ((await ranch.consulInstances()).length === 2 ? true : undefined),
      { timeoutMs: 60_000 },
    );
  }, 300_000);

  afterAll(() => ranch.close(), 120_000);

  it('rolls to a new version with no failed request, both versions in Consul during the roll', async () => {
    const client = ranch.codecClient();
    const failures: string[] = [];
    const versionsSeen = new Set<string>();
    let ok = 0;
    let stop = false;
    const traffic = (async () => {
      while (!stop) {
        try {
          await client.get('/health/live');
          ok += 1;
        } catch (error) {
          failures.push((error as Error).message);
        }
      }
    })();
    const sampling = (async () => {
      while (!stop) {
        const versions = new Set((await ranch.consulInstances()).map((i) => i.version));
        if (versions.size > 1) versionsSeen.add([...versions].sort().join('+'));
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    })();
    const outcome = await deployer.deploy(ranch.spec(next, 2), { timeoutMs: 180_000 });
    await eventually('only the new version in Consul', async () => {
      const instances = await ranch.consulInstances();
      return instances.length === 2 && instances.every((i) => i.version === next)
        ? true
        : undefined;
    });
    stop = true;
    await Promise.all([traffic, sampling]);
    expect(outcome.result).toBe('converged');
    expect(failures).toEqual([]);
    expect(ok).toBeGreaterThan(50);
    expect([...versionsSeen]).toContain(`${first}+${next}`);
    // Start-first: at some point a new task ran beside both old ones.
    expect(seen.some((p) => p.running > p.replicas)).toBe(true);
  }, 300_000);

  it('a version that never becomes ready is rolled back by Swarm, and the deploy says why', async () => {
    // Kafka where nothing listens: the task boots but readiness never turns 200.
    const outcome = await deployer.deploy(
      ranch.spec('0.1.2-never-ready', 2, { HERD_KAFKA_BROKERS: '127.0.0.1:1' }),
      { timeoutMs: 240_000 },
    );
    expect(outcome.result).toBe('rolled-back');
    if (outcome.result !== 'rolled-back') return;
    expect(outcome.by).toBe('swarm');
    expect(outcome.reason).toMatch(/roll/i);
    expect(outcome.progress.tasks.every((task) => task.version === next)).toBe(true);
    expect(outcome.progress.current).toBe(2);
  }, 300_000);
});
