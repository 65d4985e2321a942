import { Controller, Get, INestApplication, Module } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { RegistryService, ServiceClientFactory } from '@herd/registry';
import { ConsulDevAgent, eventually } from '@herd/testing';
import { HerdServiceModule, loadServiceConfig, startService } from './index';

/**
 * A Consul outage under two real services wired by HerdServiceModule (`front` calls `back`, two
 * instances, through the service client), on a private dev agent that comes back empty like a
 * crashed agent. The stop lasts HERD_CONSUL_OUTAGE_MS (default 20 s: longer than every timing of
 * these services: the 5 s stale limit, the 5 s health and anti-entropy periods, the 2 s retry
 * cap; set 120000 for the literal two minutes).
 */
const OUTAGE_MS = Number(process.env.HERD_CONSUL_OUTAGE_MS ?? 20_000);
const suffix = randomBytes(3).toString('hex');
const BACK = `herd-back-${suffix}`;
const FRONT = `herd-front-${suffix}`;

@Controller()
class BackController {
  constructor(private readonly registry: RegistryService) {}

  @Get('who')
  who(): { id: string } {
    return { id: this.registry.instanceId };
  }
}

@Controller()
class FrontController {
  constructor(private readonly clients: ServiceClientFactory) {}

  @Get('relay')
  async relay(): Promise<{ id: string }> {
    return (await this.clients.forService(BACK).get<{ id: string }>('/who')).body;
  }
}

interface Member {
  readonly app: INestApplication;
  readonly url: string;
  readonly id: string;
}

const logLines: string[] = [];

async function startMember(name: string, id: string, consulUrl: string): Promise<Member> {
  const config = loadServiceConfig(
    { name, version: '1.0.0', port: 0 },
    { HERD_CONSUL_URL: consulUrl, HERD_INSTANCE_ID: id, HOST: '127.0.0.1' },
  );
  @Module({
    imports: [
      HerdServiceModule.forService(config, {
        entities: [],
        logging: { level: 'warn', destination: { write: (line) => logLines.push(line) } },
        registry: { discovery: { staleAfterMs: 5000, retryBaseMs: 100, retryMaxMs: 2000 } },
      }),
    ],
    controllers: [name === BACK ? BackController : FrontController],
  })
  class MemberModule {}
  const app = await startService(MemberModule, config);
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, url: `http://127.0.0.1:${port}`, id };
}

async function catalogIds(consulUrl: string, service: string): Promise<string[]> {
  const response = await fetch(new URL(`/v1/health/service/${service}?passing=true`, consulUrl), {
    signal: AbortSignal.timeout(2000),
  });
  const entries = (await response.json()) as { Service: { ID: string } }[];
  return entries.map((e) => e.Service.ID).sort();
}

/**
 * Steady traffic and sampling while `during` runs: every relayed request, every readiness poll
 * of every instance and every `resolve()` of front is recorded, so one failure is enough to fail.
 */
async function underTraffic(
  members: readonly Member[],
  front: Member,
  during: (stats: TrafficStats) => Promise<void>,
): Promise<TrafficStats> {
  const stats: TrafficStats = { requests: 0, failures: [], served: new Set() };
  const { failures, served } = stats;
  let running = true;
  const record = (what: string) => failures.length < 20 && failures.push(what);
  const traffic = (async () => {
    while (running) {
      stats.requests += 1;
      const response = await fetch(`${front.url}/relay`, {
        signal: AbortSignal.timeout(10_000),
      }).catch((error: Error) => error);
      if (response instanceof Error) record(`relay: ${response.message}`);
      else if (!response.ok) record(`relay: ${response.status} ${await response.text()}`);
      else served.add(((await response.json()) as { id: string }).id);
    }
  })();
  const sampling = (async () => {
    const registry = front.app.get(RegistryService);
    while (running) {
      const found = await registry.resolve(BACK).catch((error: Error) => error);
      if (found instanceof Error) record(`resolve: ${found.message}`);
      for (const member of members) {
        const ready = await fetch(`${member.url}/health/ready`).catch((error: Error) => error);
        if (ready instanceof Error) record(`${member.id} ready: ${ready.message}`);
        else if (ready.status !== 200) record(`${member.id} ready: ${await ready.text()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  try {
    await eventually('traffic to flow', async () => (stats.requests > 5 ? true : undefined));
    await during(stats);
  } finally {
    running = false;
    await Promise.all([traffic, sampling]);
  }
  return stats;
}

interface TrafficStats {
  requests: number;
  readonly failures: string[];
  readonly served: Set<string>;
}

describe('a Consul outage under two services wired by HerdServiceModule', () => {
  const agent = new ConsulDevAgent();
  const members: Member[] = [];
  let front: Member;

  beforeAll(async () => {
    await agent.start();
    members.push(await startMember(BACK, `${BACK}-1`, agent.url));
    members.push(await startMember(BACK, `${BACK}-2`, agent.url));
    front = await startMember(FRONT, `${FRONT}-1`, agent.url);
    members.push(front);
    await eventually(
      'both back instances passing in Consul and resolved by front',
      async () => {
        const passing = await catalogIds(agent.url, BACK);
        const resolved = await front.app.get(RegistryService).resolve(BACK);
        return passing.length === 2 && resolved.length === 2 ? true : undefined;
      },
      { timeoutMs: 60_000 },
    );
  }, 120_000);

  afterAll(async () => {
    await Promise.all(members.map((member) => member.app.close().catch(() => undefined)));
    await agent.kill();
  }, 60_000);

  it('agent restarted during traffic: no failed request, all ready, both back in the catalogue within 15 s', async () => {
    const backIds = members.filter((m) => m !== front).map((m) => m.id);
    let reRegisteredInMs = 0;
    const result = await underTraffic(members, front, async () => {
      await agent.kill();
      await agent.start();
      const restarted = Date.now();
      await eventually(
        'both back instances passing in the restarted agent',
        async () => ((await catalogIds(agent.url, BACK)).length === 2 ? true : undefined),
        { timeoutMs: 15_000, intervalMs: 100 },
      );
      reRegisteredInMs = Date.now() - restarted;
      // Keep the traffic going until front's watch has followed the new agent.
      // The dependencies alone: the summary's own status also follows liveness (event-loop lag),
      // which a loaded machine can fail for reasons of its own.
      const health = async () =>
        (await (await fetch(`${front.url}/health`)).json()) as {
          dependencies: { status: string; info?: Record<string, { status: string }> };
        };
      await eventually(
        "front's registry dependency up again on /health",
        async () => {
          const { dependencies } = await health();
          return dependencies.status === 'ok' && dependencies.info?.consul?.status === 'up'
            ? true
            : undefined;
        },
        { timeoutMs: 30_000, explain: async () => JSON.stringify(await health()).slice(0, 2000) },
      );
    });
    expect(result.failures).toEqual([]);
    expect(result.requests).toBeGreaterThan(10);
    expect([...result.served].sort()).toEqual(backIds);
    expect(reRegisteredInMs).toBeGreaterThan(0);
    expect((await catalogIds(agent.url, BACK)).sort()).toEqual(backIds);
  }, 120_000);

  it(
    `agent stopped for ${OUTAGE_MS / 1000} s: every instance stays ready and serves from the cache; /health and metrics show it`,
    async () => {
      const result = await underTraffic(members, front, async () => {
        await agent.kill();
        const stoppedAt = Date.now();
        const summary = await eventually(
          "front's /health to report the registry down",
          async () => {
            const response = await fetch(`${front.url}/health`);
            const body = (await response.json()) as {
              status: string;
              dependencies: { error: Record<string, { status: string }> };
            };
            return body.status === 'degraded' ? { code: response.status, body } : undefined;
          },
          { timeoutMs: 15_000 },
        );
        expect(summary.code).toBe(200);
        expect(summary.body.dependencies.error.consul.status).toBe('down');
        const metrics = await (await fetch(`${front.url}/metrics`)).text();
        expect(metrics).toContain(
          `herd_health_indicator_up{service="${FRONT}",indicator="consul"} 0`,
        );
        const left = OUTAGE_MS - (Date.now() - stoppedAt);
        if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
        await agent.start();
        await eventually(
          'both back instances passing again after the outage',
          async () => ((await catalogIds(agent.url, BACK)).length === 2 ? true : undefined),
          { timeoutMs: 15_000, intervalMs: 100 },
        );
      });
      expect(result.failures).toEqual([]);
      expect(result.requests).toBeGreaterThan(10);
      expect(result.served.size).toBe(2);
    },
    OUTAGE_MS + 120_000,
  );
});
