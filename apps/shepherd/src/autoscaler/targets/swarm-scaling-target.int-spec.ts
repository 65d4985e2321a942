import { randomUUID } from 'node:crypto';
import { DockerEngineClient, ensureSwarm } from '@herd/swarm';
import { eventually, resolveInfraPaths, resolveNodeBaseImage, silentProgress } from '@herd/testing';
import { SwarmScalingTarget } from './swarm-scaling-target';

/** On the machine's real dockerd in swarm mode: a service is scaled and followed to converged. */
describe('SwarmScalingTarget on a real swarm', () => {
  const engine = new DockerEngineClient();
  const stack = `herdtest-shepherd-${randomUUID().slice(0, 8)}`;
  const target = new SwarmScalingTarget(engine, stack);

  beforeAll(async () => {
    await ensureSwarm(engine);
    const image = await resolveNodeBaseImage({
      paths: resolveInfraPaths(),
      progress: silentProgress,
    });
    await engine.createService({
      Name: `${stack}_codec`,
      Labels: { 'io.herd.test': stack },
      TaskTemplate: {
        ContainerSpec: { Image: image, Command: ['node', '-e', 'setInterval(() => {}, 1000)'] },
        Resources: { Limits: { MemoryBytes: 64 * 1024 * 1024 } },
        Networks: [{ Target: 'host' }],
      },
      Mode: { Replicated: { Replicas: 1 } },
    });
  }, 300_000);

  afterAll(async () => {
    await engine.removeService(`${stack}_codec`).catch(() => undefined);
  });

  const settled = (instances: number) =>
    eventually(
      `${instances} task(s) running`,
      async () => {
        const status = await target.status('codec');
        return status && !status.inFlight && status.instances === instances ? status : undefined;
      },
      { timeoutMs: 120_000 },
    );

  it('reads replicas, is in flight until the tasks run, and scales out and in', async () => {
    await settled(1);
    await target.scaleTo('codec', 2);
    expect(await target.status('codec')).toEqual({ instances: 2, inFlight: true });
    await settled(2);
    await target.scaleTo('codec', 1);
    await settled(1);
  }, 300_000);

  it('says when the swarm has no such service', async () => {
    expect(await target.status('nobody')).toBeUndefined();
  });
});
