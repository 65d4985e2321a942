import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import Consul from 'consul';
import { herdInfraEnv } from './infra-env';

type CheckStatus = 'passing' | 'warning' | 'critical';

describe('Consul (real agent)', () => {
  let consul: Consul;
  const serviceId = `herd-smoke-${randomUUID().slice(0, 8)}`;
  const checkId = `service:${serviceId}`;

  beforeAll(() => {
    const url = new URL(herdInfraEnv().consulUrl);
    consul = new Consul({
      host: url.hostname,
      port: Number(url.port),
      secure: url.protocol === 'https:',
    });
  });

  afterAll(async () => {
    await consul.agent.service.deregister(serviceId).catch(() => undefined);
  });

  async function checkStatus(): Promise<CheckStatus | undefined> {
    const checks = (await consul.agent.checks()) as Record<string, { Status: CheckStatus }>;
    return checks[checkId]?.Status;
  }

  async function eventually(expected: CheckStatus, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((await checkStatus()) !== expected) {
      if (Date.now() > deadline) throw new Error(`check never became ${expected}`);
      await sleep(100);
    }
  }

  it('reports its version through /v1/agent/self', async () => {
    const self = (await consul.agent.self()) as { Config: { Version: string } };
    expect(self.Config.Version).toMatch(/^1\.\d+\.\d+$/);
  });

  it('registers a service with a TTL check that passes, turns critical, and deregisters', async () => {
    await consul.agent.service.register({
      id: serviceId,
      name: 'herd-smoke',
      port: 4000,
      address: '127.0.0.1',
      tags: ['smoke'],
      // The client's typings demand a timeout even for TTL checks; Consul ignores it there.
      check: {
        checkid: checkId,
        name: 'smoke heartbeat',
        ttl: '2s',
        timeout: '1s',
        status: 'critical',
      },
    });
    expect(await checkStatus()).toBe('critical');

    await consul.agent.check.pass({ id: checkId, note: 'baa' });
    expect(await checkStatus()).toBe('passing');
    const healthy = (await consul.health.service({
      service: 'herd-smoke',
      passing: true,
    })) as Array<{
      Service: { ID: string };
    }>;
    expect(healthy.map((entry) => entry.Service.ID)).toContain(serviceId);

    await eventually('critical', 10_000);

    await consul.agent.service.deregister(serviceId);
    const services = (await consul.agent.services()) as Record<string, unknown>;
    expect(services[serviceId]).toBeUndefined();
  });
});
