import { randomBytes } from 'node:crypto';
import { RegistryHealthIndicator } from '@herd/registry';
import { ConsulDevAgent } from '@herd/testing';
import { catalogIds, eventually, passingIds, resolvedIds } from '../../test/consul-helpers';
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
        await startMember({
          name: service,
          version: '1.0.0',
          id,
          consulUrl: agent.url,
          // The agent's first HTTP check runs up to one interval after registration: with 60 s,
          // only checks registered passing can make the instances resolvable within 15 s.
          registry: {
            checks: { intervalMs: 60_000, timeoutMs: 1000, ttlMs: 3000 },
            discovery: { retryBaseMs: 100, retryMaxMs: 1000, staleAfterMs: 3000 },
          },
        }),
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

  it('re-registers both instances passing within 15 s and resolve() is never empty meanwhile', async () => {
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
    // The new dev agent is empty; each instance must notice and register again on its own, and
    // meanwhile the observer keeps serving the set it knew instead of the agent's empty answer.
    const lookups: string[][] = [];
    await eventually('both instances passing in the new agent', 15_000, async () => {
      lookups.push(await resolve());
      return (await passingIds(agent.url, service)).length === 2;
    });
    await eventually('the observer watch to follow the new agent', 20_000, async () => {
      lookups.push(await resolve());
      const result = await observer.app.get(RegistryHealthIndicator).isHealthy();
      return result.consul.status === 'up' && (await resolve()).length === 2;
    });
    expect(lookups.filter((found) => found.length === 0)).toEqual([]);
    expect(members.map((m) => m.registry.registrationStatus().reRegistrations)).toEqual([1, 1]);
  });
});
