import { randomUUID } from 'node:crypto';
import { eventually, resolveInfraPaths, resolveNodeBaseImage, silentProgress } from '@herd/testing';
import { DockerEngineError } from '../errors/docker-engine.error';
import { DockerEngineUnreachableError } from '../errors/docker-engine-unreachable.error';
import { DockerEngineClient } from './docker-engine.client';
import { SwarmServiceSpec } from './engine-api.interface';
import { ensureSwarm } from './ensure-swarm';

/**
 * The Engine API client against the machine's real dockerd in swarm mode: a service is created,
 * inspected, updated, rolled back by Swarm, its tasks and their container stats read, and removed.
 */
describe('DockerEngineClient on a real swarm', () => {
  const client = new DockerEngineClient();
  const name = `herdtest-engine-${randomUUID().slice(0, 8)}`;
  let image: string;
  let serviceId: string | undefined;
  let secretId: string | undefined;

  const spec = (marker: string, secret: string): SwarmServiceSpec => ({
    Name: name,
    Labels: { 'io.herd.test': marker },
    TaskTemplate: {
      ContainerSpec: {
        Image: image,
        Env: [`MARKER=${marker}`, 'SLOT={{.Task.Slot}}'],
        // Healthy (and so "running" for Swarm) only with its secret file there and no capability.
        Command: ['node', '-e', 'const b=[];setInterval(()=>b.push(Buffer.alloc(1e6)),100);'],
        Healthcheck: {
          Test: [
            'CMD',
            'node',
            '-e',
            `const fs=require('fs');process.exit(fs.readFileSync('/run/secrets/${name}','utf8')==='s3cret'&&/CapEff:\\s+0+\\n/.test(fs.readFileSync('/proc/1/status','utf8'))?0:1)`,
          ],
          Interval: 1e9,
          Timeout: 5e9,
          Retries: 3,
          StartPeriod: 0,
        },
        CapabilityDrop: ['ALL'],
        Secrets: [
          {
            SecretName: name,
            SecretID: secret,
            File: { Name: name, UID: '0', GID: '0', Mode: 0o444 },
          },
        ],
      },
      Resources: { Limits: { MemoryBytes: 128 * 1024 * 1024 } },
      Networks: [{ Target: 'host' }],
    },
    Mode: { Replicated: { Replicas: 2 } },
  });

  beforeAll(async () => {
    await ensureSwarm(client);
    image = await resolveNodeBaseImage({ paths: resolveInfraPaths(), progress: silentProgress });
    secretId = await client.createSecret(name, 's3cret', { 'io.herd.test': name });
  }, 300_000);

  afterAll(async () => {
    if (serviceId) await client.removeService(serviceId).catch(() => undefined);
    // A secret is in use until the service's tasks are gone.
    if (secretId) {
      await eventually(
        'test secret removed',
        async () =>
          await client.removeSecret(secretId as string).then(
            () => true,
            () => undefined,
          ),
      );
    }
  });

  const running = async () =>
    (await client.listTasks({ service: [name], 'desired-state': ['running'] })).filter(
      (task) => task.Status.State === 'running',
    );

  it('creates a service whose tasks run with its secret file and no capabilities', async () => {
    serviceId = await client.createService(spec('v1', secretId as string));
    const tasks = await eventually('two running tasks', async () => {
      const found = await running();
      return found.length === 2 ? found : undefined;
    });
    expect(tasks.map((task) => task.Slot).sort()).toEqual([1, 2]);
    const service = await client.inspectService(name);
    expect(service.ID).toBe(serviceId);
    expect(service.Spec.Labels).toEqual({ 'io.herd.test': 'v1' });
  }, 120_000);

  it('reads CPU and memory of a task’s container', async () => {
    const [task] = await running();
    const containerId = task?.Status.ContainerStatus?.ContainerID as string;
    const stats = await client.containerStats(containerId);
    expect(stats.memory_stats.usage).toBeGreaterThan(0);
    expect(stats.memory_stats.limit).toBe(128 * 1024 * 1024);
    expect(stats.cpu_stats.cpu_usage.total_usage).toBeGreaterThan(0);
    expect((await client.inspectContainer(containerId)).State.Status).toBe('running');
  }, 60_000);

  it('updates at the version read, refuses a stale version, and rolls back to the previous spec', async () => {
    const before = await client.inspectService(name);
    await client.updateService(before.ID, before.Version.Index, spec('v2', secretId as string));
    const stale = await client
      .updateService(before.ID, before.Version.Index, spec('v3', secretId as string))
      .catch((error: unknown) => error);
    expect(stale).toBeInstanceOf(DockerEngineError);
    const updated = await client.inspectService(name);
    expect(updated.Spec.Labels).toEqual({ 'io.herd.test': 'v2' });
    expect(updated.PreviousSpec?.Labels).toEqual({ 'io.herd.test': 'v1' });
    await client.rollbackService(updated.ID, updated.Version.Index, updated.Spec);
    const rolledBack = await eventually(
      'rollback completed',
      async () => {
        const current = await client.inspectService(name);
        return current.UpdateStatus?.State === 'rollback_completed' ? current : undefined;
      },
      { timeoutMs: 90_000 },
    );
    expect(rolledBack.Spec.Labels).toEqual({ 'io.herd.test': 'v1' });
  }, 120_000);

  it('answers 404 as notFound, and says when nothing listens on the socket', async () => {
    const missing = await client.inspectService(`${name}-missing`).catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(DockerEngineError);
    expect((missing as DockerEngineError).notFound).toBe(true);
    expect(await client.findService(`${name}-missing`)).toBeUndefined();
    const nowhere = new DockerEngineClient({ socketPath: '/nonexistent/docker.sock' });
    await expect(nowhere.info()).rejects.toBeInstanceOf(DockerEngineUnreachableError);
  });

  it('removes the service and its tasks', async () => {
    await client.removeService(name);
    serviceId = undefined;
    await eventually('tasks gone', async () =>
      (await client.listTasks({ service: [name] }).catch(() => [])).length === 0 ? true : undefined,
    );
  }, 60_000);
});
