import { randomUUID } from 'node:crypto';
import { resolveInfraPaths, resolveNodeBaseImage, silentProgress } from '@herd/testing';
import { DockerEngineClient } from '../engine/docker-engine.client';
import { SwarmServiceSpec } from '../engine/engine-api.interface';
import { ensureSwarm } from '../engine/ensure-swarm';
import { SwarmTimeoutError } from '../errors/swarm-timeout.error';
import { SwarmProgress } from './swarm-progress';
import { SwarmDeployer } from './swarm-deployer';
import { swarmStatus } from './swarm-status';

/**
 * The deployer on the machine's real swarm with a small Node service (no port, so start-first
 * tasks never collide): create, a start-first update followed task by task, a version whose
 * health check never passes rolled back by Swarm itself, one rolled back by our own deadline,
 * scaling, and the status rows with CPU and memory per task.
 */
describe('SwarmDeployer on a real swarm', () => {
  const client = new DockerEngineClient();
  const name = `herdtest-deploy-${randomUUID().slice(0, 8)}`;
  const seen: SwarmProgress[] = [];
  const rollbacks: SwarmProgress[] = [];
  const deployer = new SwarmDeployer(client, {
    pollIntervalMs: 300,
    onProgress: (progress) => seen.push(progress),
    onRollback: (failed) => rollbacks.push(failed),
  });
  let image: string;

  const spec = (version: string, replicas: number, healthy = true): SwarmServiceSpec => ({
    Name: name,
    Labels: { 'io.herd.service': name, 'io.herd.version': version },
    TaskTemplate: {
      ContainerSpec: {
        Image: image,
        Labels: { 'io.herd.version': version },
        Env: [`VERSION=${version}`],
        Command: ['node', '-e', 'setInterval(()=>{},1000)'],
        Healthcheck: {
          Test: ['CMD', 'node', '-e', `process.exit(${healthy ? 0 : 1})`],
          Interval: 1e9,
          Timeout: 5e9,
          Retries: 2,
          StartPeriod: 0,
        },
        StopGracePeriod: 1e9,
      },
      RestartPolicy: { Condition: 'any', Delay: 1e9, MaxAttempts: 0, Window: 0 },
    },
    Mode: { Replicated: { Replicas: replicas } },
    UpdateConfig: {
      Parallelism: 1,
      Delay: 0,
      FailureAction: 'rollback',
      Monitor: 5e9,
      MaxFailureRatio: 0,
      Order: 'start-first',
    },
    RollbackConfig: {
      Parallelism: 1,
      Delay: 0,
      FailureAction: 'pause',
      Monitor: 5e9,
      MaxFailureRatio: 0,
      Order: 'start-first',
    },
  });

  beforeAll(async () => {
    await ensureSwarm(client);
    image = await resolveNodeBaseImage({ paths: resolveInfraPaths(), progress: silentProgress });
  }, 300_000);

  afterAll(() => client.removeService(name).catch(() => undefined));

  it('creates a service and follows it until every replica runs healthy', async () => {
    const outcome = await deployer.deploy(spec('1.0.0', 2), { timeoutMs: 120_000 });
    expect(outcome).toMatchObject({ result: 'converged', created: true });
    expect(outcome.progress.current).toBe(2);
  }, 150_000);

  it('updates start-first, task by task, with the old version beside the new one', async () => {
    seen.length = 0;
    const outcome = await deployer.deploy(spec('1.1.0', 2), { timeoutMs: 120_000 });
    expect(outcome).toMatchObject({ result: 'converged', created: false });
    expect(outcome.progress.tasks.map((task) => task.version)).toEqual(['1.1.0', '1.1.0']);
    const mixed = seen.find((p) => p.tasks.some((t) => t.version === '1.0.0') && p.current > 0);
    expect(mixed).toBeDefined();
    // Start-first: a new task starts while both old ones still run.
    expect(seen.some((p) => p.tasks.length > p.replicas && p.running === p.replicas)).toBe(true);
  }, 150_000);

  it("an operator's rollback returns to the previous spec and is followed until it runs", async () => {
    const back = await deployer.rollback(name, { timeoutMs: 120_000 });
    expect(back.tasks.map((task) => task.version)).toEqual(['1.0.0', '1.0.0']);
    expect(back.running).toBe(2);
    // Forward again, for the tests below.
    const again = await deployer.deploy(spec('1.1.0', 2), { timeoutMs: 120_000 });
    expect(again.result).toBe('converged');
  }, 300_000);

  it('a version that never turns healthy is rolled back by Swarm, with its reason', async () => {
    const outcome = await deployer.deploy(spec('1.2.0', 2, false), { timeoutMs: 120_000 });
    expect(outcome.result).toBe('rolled-back');
    if (outcome.result !== 'rolled-back') return;
    expect(outcome.by).toBe('swarm');
    expect(outcome.reason).toMatch(/roll/i);
    expect(outcome.progress.tasks.map((task) => task.version)).toEqual(['1.1.0', '1.1.0']);
  }, 180_000);

  it('rolls back itself when its own deadline passes first', async () => {
    const outcome = await deployer.deploy(spec('1.3.0', 2, false), {
      timeoutMs: 1500,
      rollbackTimeoutMs: 120_000,
    });
    expect(outcome).toMatchObject({ result: 'rolled-back', by: 'timeout' });
    expect(rollbacks).toHaveLength(1);
    if (outcome.result !== 'rolled-back') return;
    expect(outcome.progress.tasks.map((task) => task.version)).toEqual(['1.1.0', '1.1.0']);
  }, 180_000);

  it('scales up and down, and a scale that cannot settle in time says so', async () => {
    expect((await deployer.scale(name, 3, { timeoutMs: 120_000 })).running).toBe(3);
    expect((await deployer.scale(name, 1, { timeoutMs: 120_000 })).running).toBe(1);
    await expect(deployer.scale(name, 2, { timeoutMs: 1 })).rejects.toBeInstanceOf(
      SwarmTimeoutError,
    );
    await deployer.scale(name, 2, { timeoutMs: 120_000 });
  }, 300_000);

  it('lists the service as the app list: instances, health, version, CPU and memory per task', async () => {
    const [status] = await swarmStatus(client, { name });
    expect(status).toMatchObject({ name, version: '1.1.0', replicas: 2, running: 2, healthy: 2 });
    for (const task of status?.tasks ?? []) {
      expect(task).toMatchObject({ state: 'running', health: 'healthy', version: '1.1.0' });
      expect(task.memoryBytes).toBeGreaterThan(1_000_000);
      expect(task.cpuPercent).toBeGreaterThanOrEqual(0);
    }
  }, 60_000);
});
