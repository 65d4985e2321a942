import { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { freePort, herdInfraEnv, spawnTypeScript } from '@herd/testing';
import {
  NoHealthyInstanceError,
  RegistryHealthIndicator,
  ServiceClientFactory,
  ServiceRequestError,
} from '@herd/registry';
import {
  catalogEntry,
  catalogIds,
  eventually,
  passingIds,
  resolvedIds,
} from '../test/consul-helpers';
import { Member, startMember } from '../test/member-app';

/** Starts a member in a child process (so it can be SIGKILLed) and waits until it listens. */
function spawnMember(options: object): Promise<ChildProcess> {
  const child = spawnTypeScript(join(__dirname, '..', 'test', 'member-app.main.ts'), {
    args: [JSON.stringify(options)],
  });
  return new Promise((resolve, reject) => {
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('LISTENING')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`member exited with ${code}: ${stderr}`)));
  });
}

describe('@herd/registry against the real Consul agent', () => {
  const consulUrl = herdInfraEnv().consulUrl;
  const suffix = randomBytes(4).toString('hex');
  const service = `herd-reg-${suffix}`;
  const members: Member[] = [];
  let killed: ChildProcess | undefined;
  let killedAt = 0;
  const killedId = `${service}-killed`;
  let observer: Member;

  const start = async (id: string, version = '1.0.0', tags: string[] = ['blue']) => {
    const member = await startMember({
      name: service,
      version,
      id: `${service}-${id}`,
      consulUrl,
      tags,
    });
    members.push(member);
    return member;
  };
  const resolve = (filter?: { version?: string; tags?: string[] }) =>
    resolvedIds(() => observer.registry.resolve(service, filter));

  beforeAll(async () => {
    // The SIGKILL case waits out Consul's 1-minute minimum DeregisterCriticalServiceAfter plus its
    // 30 s reaper; starting it first lets the other cases run during that wait.
    killed = await spawnMember({ name: service, version: '1.0.0', id: killedId, consulUrl });
    await eventually('the child member to register', 20_000, async () =>
      (await catalogIds(consulUrl, service)).includes(killedId),
    );
    observer = await startMember({
      name: `${service}-observer`,
      version: '1.0.0',
      id: `${service}-observer`,
      consulUrl,
    });
    await eventually('the child member to pass', 20_000, async () =>
      (await resolve()).includes(killedId),
    );
    killed.kill('SIGKILL');
    killedAt = Date.now();
  });

  afterAll(async () => {
    killed?.kill('SIGKILL');
    for (const member of [...members, observer]) await member?.app.close().catch(() => undefined);
    const leftovers = await catalogIds(consulUrl, service).catch(() => []);
    await Promise.all(
      leftovers.map((id) =>
        fetch(new URL(`/v1/agent/service/deregister/${id}`, consulUrl), { method: 'PUT' }).catch(
          () => undefined,
        ),
      ),
    );
  });

  it('registers two instances after they listen, with Meta.version, tags and the port really bound', async () => {
    const a = await start('a');
    const b = await start('b');
    await eventually(
      'a in the catalogue',
      10_000,
      async () => !!(await catalogEntry(consulUrl, service, `${service}-a`)),
    );
    const entry = await catalogEntry(consulUrl, service, `${service}-a`);
    expect(entry).toMatchObject({
      ServiceMeta: { version: '1.0.0' },
      ServiceTags: ['blue'],
      ServicePort: a.port,
    });
    await eventually('both instances to resolve', 15_000, async () => {
      const ids = await resolve();
      return ids.includes(`${service}-a`) && ids.includes(`${service}-b`);
    });
    expect(b.registry.registrationStatus()).toMatchObject({
      registered: true,
      instanceId: `${service}-b`,
    });
  });

  it('drops the SIGKILLed instance from resolve once its TTL heartbeat lapses', async () => {
    await eventually(
      'the killed instance to leave resolve',
      20_000,
      async () => !(await resolve()).includes(killedId),
    );
    // Still in the catalogue: its failing checks hid it, not a deregistration.
    expect(await catalogIds(consulUrl, service)).toContain(killedId);
  });

  it('removes an instance whose readiness fails from resolve (its check critical, still registered) and brings it back', async () => {
    const [a] = members;
    a.setReady(false);
    // Check interval is 1 s and the blocking query wakes on the change: 10 s is generous.
    await eventually(
      'instance a to leave resolve',
      10_000,
      async () => !(await resolve()).includes(`${service}-a`),
    );
    expect(await resolve()).toContain(`${service}-b`);
    const checks = (await (
      await fetch(new URL(`/v1/health/checks/${service}`, consulUrl))
    ).json()) as { ServiceID: string; CheckID: string; Status: string }[];
    expect(
      checks.find((c) => c.ServiceID === `${service}-a` && c.CheckID.endsWith(':ready'))?.Status,
    ).toBe('critical');
    expect(await catalogIds(consulUrl, service)).toContain(`${service}-a`);
    a.setReady(true);
    await eventually('instance a to come back', 10_000, async () =>
      (await resolve()).includes(`${service}-a`),
    );
  });

  it('registers an instance that was not ready yet critical, then passing within moments of its first ready answer, not one check interval later', async () => {
    // A 5-minute interval: the agent's first run of the check comes after a random pause of up to
    // that long, so only the instance's own promotion can make it pass within seconds.
    const lateService = `${service}-late`;
    const late = await startMember({
      name: lateService,
      version: '1.0.0',
      id: `${service}-late`,
      consulUrl,
      ready: false,
      registry: { checks: { intervalMs: 300_000, timeoutMs: 1000, ttlMs: 3000 } },
    });
    members.push(late);
    await eventually('the late instance registered', 10_000, async () =>
      (await catalogIds(consulUrl, lateService)).includes(`${service}-late`),
    );
    expect(await passingIds(consulUrl, lateService)).toEqual([]);
    late.setReady(true);
    await eventually('the late instance passing', 3000, async () =>
      (await passingIds(consulUrl, lateService)).includes(`${service}-late`),
    );
    // Still the HTTP check on readiness, with its own interval and timeout, under the service.
    const checks = (await (await fetch(new URL('/v1/agent/checks', consulUrl))).json()) as Record<
      string,
      { ServiceID: string; Status: string; Type: string; Interval: string; Timeout: string }
    >;
    expect(checks[`service:${service}-late:ready`]).toMatchObject({
      ServiceID: `${service}-late`,
      Status: 'passing',
      Type: 'http',
      Interval: '5m0s',
      Timeout: '1s',
    });
  });

  it('filters by version and tags, and reports NoHealthyInstanceError when nothing matches', async () => {
    await start('v2', '2.0.0', ['green']);
    await eventually('the 2.0.0 instance to resolve', 15_000, async () =>
      (await resolve({ version: '2.0.0' })).includes(`${service}-v2`),
    );
    expect(await resolve({ version: '2.0.0' })).toEqual([`${service}-v2`]);
    expect(await resolve({ version: '1.0.0', tags: ['blue'] })).toEqual(
      expect.arrayContaining([`${service}-a`, `${service}-b`]),
    );
    expect(await resolve({ version: '1.0.0' })).not.toContain(`${service}-v2`);
    await expect(observer.registry.resolve(service, { version: '9.9.9' })).rejects.toBeInstanceOf(
      NoHealthyInstanceError,
    );
  });

  it('calls instances by service name, spreads load, retries elsewhere on 5xx and refused connections', async () => {
    const client = observer.app.get(ServiceClientFactory).forService(service);
    const seen = new Set<string>();
    for (let i = 0; i < 6; i += 1) {
      const response = await client.get<{ id: string }>('/whoami', { version: '1.0.0' });
      seen.add(response.body.id);
    }
    expect([...seen].sort()).toEqual([`${service}-a`, `${service}-b`]);

    // A registered, passing instance whose port refuses connections: the client must go elsewhere
    // every time and open its circuit after the volume threshold (2).
    const ghostId = `${service}-ghost`;
    const ghostPort = await freePort();
    await fetch(new URL('/v1/agent/service/register', consulUrl), {
      method: 'PUT',
      body: JSON.stringify({
        ID: ghostId,
        Name: service,
        Address: '127.0.0.1',
        Port: ghostPort,
        Meta: { version: '3.0.0' },
        Check: { CheckID: `${ghostId}:ttl`, TTL: '60s', Status: 'passing' },
      }),
    });
    try {
      await eventually('the ghost to resolve', 10_000, async () =>
        (await resolve()).includes(ghostId),
      );
      const a = members[0];
      for (let i = 0; i < 4; i += 1) {
        const response = await client.get<{ id: string }>('/whoami', { tags: [] });
        expect(response.body.id).not.toBe(ghostId);
        expect(response.instance.id).not.toBe(ghostId);
      }
      expect(client.isOpen(ghostId)).toBe(true);
      // Only the ghost matches 3.0.0 and its circuit is open: a typed error, nothing sent.
      await expect(client.get('/whoami', { version: '3.0.0' })).rejects.toBeInstanceOf(
        ServiceRequestError,
      );
      // 5xx is retried on another instance for GET; both 1.0.0 instances fail, so the error lists both.
      const failure = await client.get('/boom', { version: '1.0.0' }).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(ServiceRequestError);
      expect((failure as ServiceRequestError).attempts).toHaveLength(2);
      expect(a.port).toBeGreaterThan(0);
    } finally {
      await fetch(new URL(`/v1/agent/service/deregister/${ghostId}`, consulUrl), { method: 'PUT' });
    }
  });

  it('reports agent, own registration and watch freshness through the health indicator', async () => {
    const result = await observer.app.get(RegistryHealthIndicator).isHealthy();
    expect(result.consul.status).toBe('up');
    expect(result.consul).toMatchObject({ agent: 'reachable', registration: { registered: true } });
  });

  it('deregisters at once on a graceful stop (onModuleDestroy), before the HTTP server closes', async () => {
    const b = members[1];
    await b.app.close();
    members.splice(1, 1);
    expect(await catalogIds(consulUrl, service)).not.toContain(`${service}-b`);
    await eventually(
      'b to leave resolve',
      3000,
      async () => !(await resolve()).includes(`${service}-b`),
    );
  });

  it('lets Consul remove the SIGKILLed instance after DeregisterCriticalServiceAfter', async () => {
    // 60 s (Consul's minimum) + up to 30 s until the reaper runs, counted from the kill.
    const budget = 100_000 - (Date.now() - killedAt);
    await eventually(
      'Consul to reap the killed instance',
      Math.max(budget, 5000),
      async () => !(await catalogIds(consulUrl, service)).includes(killedId),
    );
  }, 120_000);
});
