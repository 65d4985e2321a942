import { randomBytes } from 'node:crypto';
import { RegistryHealthIndicator } from '@herd/registry';
import { ConsulDevAgent } from '../../test/consul-dev-agent';
import { catalogIds, eventually, resolvedIds } from '../../test/consul-helpers';
import { Member, startMember } from '../../test/member-app';

describe('anti-entropy: a private Consul dev agent restarted under two running instances', () => {
  const agent = new ConsulDevAgent();
  const service = `herd-ae-${randomBytes(4).toString('hex')}`;
  const ids = [`${service}-1`, `${service}-2`];
  const members: Member[] = [];
  let observer: Member;

  beforeAll(async () => {
    await agent.start();
    for (const id of ids) {
      members.push(
        await startMember({ name: service, version: '1.0.0', id, consulUrl: agent.url }),
      );
    }
    observer = await startMember({
      name: `${service}-obs`,
      version: '1.0.0',
      id: `${service}-obs`,
      consulUrl: agent.url,
    });
  });

  afterAll(async () => {
    for (const member of [...members, observer]) await member?.app.close().catch(() => undefined);
    await agent.kill();
  });

  it('re-registers both instances by itself and serves lookups from cache meanwhile', async () => {
    const resolve = () => resolvedIds(() => observer.registry.resolve(service));
    await eventually('both instances to resolve before the restart', 20_000, async () => {
      const present = await catalogIds(agent.url, service);
      return ids.every((id) => present.includes(id)) && (await resolve()).length === 2;
    });

    await agent.kill();
    // Agent gone: lookups come from the cache, and health reports the outage.
    expect(await resolve()).toEqual(ids);
    await eventually('health to report the agent down', 10_000, async () => {
      const result = await observer.app.get(RegistryHealthIndicator).isHealthy();
      return result.consul.status === 'down';
    });
    expect(await resolve()).toEqual(ids);

    await agent.start();
    // The new dev agent is empty; each instance must notice and register again on its own.
    const took = await eventually('both instances back in the catalogue', 20_000, async () => {
      const present = await catalogIds(agent.url, service);
      return ids.every((id) => present.includes(id));
    });
    await eventually('the observer watch to follow the new agent', 20_000, async () => {
      const result = await observer.app.get(RegistryHealthIndicator).isHealthy();
      return result.consul.status === 'up' && (await resolve()).length === 2;
    });
    expect(members.map((m) => m.registry.registrationStatus().reRegistrations)).toEqual([1, 1]);
    expect(took).toBeLessThan(20_000);
  });
});
