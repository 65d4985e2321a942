import request from 'supertest';
import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  RegistryModule,
  SERVICE_REGISTRY,
  ServiceClientFactory,
  ServiceRegistry,
} from '@herd/registry';
import { herdInfraEnv } from '@herd/testing';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  GRACE_MS,
  killLeftovers,
  sigtermUnderLoad,
  startInstance,
  type Instance,
} from '../fixtures/child-instance';

const suffix = randomBytes(4).toString('hex');
const SERVICE = `herd-health-drain-${suffix}`;

describe('graceful shutdown behind @herd/registry on real Consul (two child-process instances)', () => {
  const instances: Instance[] = [];
  let caller: INestApplication | undefined;

  afterAll(async () => {
    // SIGTERM lets a leftover instance deregister itself; SIGKILL only if it does not exit.
    for (const instance of instances) {
      if (instance.child.exitCode === null && instance.child.signalCode === null) {
        instance.child.kill('SIGTERM');
        await Promise.race([instance.exited, sleep(10_000, undefined, { ref: false })]);
      }
    }
    killLeftovers(instances);
    await caller?.close();
  });

  it('SIGTERM under load through the registry client: no request fails, the instance leaves Consul first', async () => {
    const consulUrl = herdInfraEnv().consulUrl;
    instances.push(
      ...(await Promise.all([
        startInstance(`${SERVICE}-a`, {
          HERD_FIXTURE_SERVICE: SERVICE,
          HERD_FIXTURE_CONSUL_URL: consulUrl,
        }),
        startInstance(`${SERVICE}-b`, {
          HERD_FIXTURE_SERVICE: SERVICE,
          HERD_FIXTURE_CONSUL_URL: consulUrl,
        }),
      ])),
    );
    const [a, b] = instances;
    const pidOf = new Map(instances.map((i) => [i.child.pid, i.name]));

    const moduleRef = await Test.createTestingModule({
      imports: [
        RegistryModule.forRoot({
          service: { name: `herd-health-caller-${suffix}`, version: '1.0.0' },
          consul: { url: consulUrl },
          registration: { auto: false },
          // No retry on another instance: a request that failed must show as failed.
          client: { retries: 0, timeoutMs: 5_000 },
        }),
      ],
    }).compile();
    caller = moduleRef.createNestApplication({ logger: false });
    await caller.init();
    const registry = caller.get<ServiceRegistry>(SERVICE_REGISTRY);
    const client = caller.get(ServiceClientFactory).forService(SERVICE);

    const until = Date.now() + 45_000;
    let passing = 0;
    while (Date.now() < until) {
      passing = (await registry.resolve(SERVICE).catch(() => [])).length;
      if (passing === 2) break;
      await sleep(200);
    }
    expect(passing).toBe(2);
    // @herd/registry's indicator is a dependency of the instances, shown on /health, not readiness.
    await request(b.url).get('/health/ready').expect(200);
    const summary = await request(b.url).get('/health').expect(200);
    expect(summary.body.dependencies.details.consul).toMatchObject({ status: 'up' });

    const { outcomes, sigtermAt, exitedAt, exit } = await sigtermUnderLoad(a, async () => {
      const reply = await client.get<{ pid: number }>('/items/slow', { query: { ms: 200 } });
      return { by: pidOf.get(reply.body.pid), status: reply.status };
    });

    expect(outcomes.filter((o) => o.error !== undefined || o.status !== 200)).toEqual([]);
    expect(outcomes.some((o) => o.by === a.name && o.at < sigtermAt)).toBe(true);
    expect(outcomes.some((o) => o.by === a.name && o.at < sigtermAt && o.done > sigtermAt)).toBe(
      true,
    );
    expect(outcomes.some((o) => o.by === b.name && o.at > exitedAt)).toBe(true);
    expect((await registry.resolve(SERVICE)).map((i) => i.port)).toEqual([
      Number(new URL(b.url).port),
    ]);
    expect(exit.signal === 'SIGTERM' || exit.code === 0).toBe(true);
    const messages = a.logs.map((record) => String(record.msg));
    expect(messages.some((msg) => msg.startsWith('draining: readiness is 503'))).toBe(true);
    expect(messages.slice(-5)).toContain('closed after SIGTERM');
    expect(exitedAt - sigtermAt).toBeGreaterThanOrEqual(GRACE_MS);
  });
});
