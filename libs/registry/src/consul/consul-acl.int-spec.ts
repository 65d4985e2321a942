import { ConsoleLogger, Logger } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import { ConsulDevAgent } from '@herd/testing';
import { eventually } from '../../test/consul-helpers';
import { Member, startMember } from '../../test/member-app';

/** Records every line Nest would log, to prove the ACL token never reaches a log. */
class CapturingLogger extends ConsoleLogger {
  readonly lines: string[] = [];

  protected override printMessages(messages: unknown[]): void {
    this.lines.push(
      ...messages.map((m) => (m instanceof Error ? `${m.message} ${m.stack}` : String(m))),
    );
  }
}

describe('ACL token against a private Consul dev agent with default-deny ACLs', () => {
  const token = randomUUID();
  const agent = new ConsulDevAgent([
    `-hcl=acl { enabled = true, default_policy = "deny", tokens { initial_management = "${token}", agent = "${token}" } }`,
  ]);
  const service = `herd-acl-${randomBytes(4).toString('hex')}`;
  const logger = new CapturingLogger();
  const members: Member[] = [];

  beforeAll(async () => {
    await agent.start();
    Logger.overrideLogger(logger);
  });

  afterAll(async () => {
    for (const member of members) await member.app.close().catch(() => undefined);
    Logger.overrideLogger(new ConsoleLogger());
    await agent.kill();
  });

  it('registers and resolves with the token, is refused without it, and never logs it', async () => {
    const catalog = async () => {
      const response = await fetch(new URL(`/v1/catalog/service/${service}`, agent.url), {
        headers: { 'X-Consul-Token': token },
      });
      return ((await response.json()) as { ServiceID: string }[]).map((e) => e.ServiceID);
    };

    const withToken = await startMember({
      name: service,
      version: '1.0.0',
      id: `${service}-ok`,
      consulUrl: agent.url,
      registry: { consul: { url: agent.url, token, requestTimeoutMs: 2000 } },
    });
    members.push(withToken);
    await eventually('the member with the token to register', 15_000, async () =>
      (await catalog()).includes(`${service}-ok`),
    );
    await eventually('resolve with the token', 15_000, async () =>
      (await withToken.registry.resolve(service)).some((i) => i.id === `${service}-ok`),
    );

    const withoutToken = await startMember({
      name: service,
      version: '1.0.0',
      id: `${service}-denied`,
      consulUrl: agent.url,
    });
    members.push(withoutToken);
    await eventually('the refusal to be logged', 10_000, async () =>
      logger.lines.some((line) => /registration failed/.test(line)),
    );
    expect(await catalog()).not.toContain(`${service}-denied`);
    expect(withoutToken.registry.registrationStatus().registered).toBe(false);

    expect(logger.lines.length).toBeGreaterThan(0);
    expect(logger.lines.filter((line) => line.includes(token))).toEqual([]);
  });
});
