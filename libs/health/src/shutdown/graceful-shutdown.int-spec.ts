import { Agent } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  GRACE_MS,
  httpGet,
  killLeftovers,
  sigtermUnderLoad,
  startInstance,
  type Instance,
  type Reply,
} from '../fixtures/child-instance';

describe('graceful shutdown: SIGTERM under HTTP load (two child-process instances)', () => {
  const instances: Instance[] = [];

  afterAll(() => killLeftovers(instances));

  it('loses no client request: readiness turns 503 first, in-flight requests finish, the process exits', async () => {
    instances.push(...(await Promise.all([startInstance('sheep-a'), startInstance('sheep-b')])));
    const [a, b] = instances;
    const probeAgent = new Agent({ keepAlive: false });
    const loadAgent = new Agent({ keepAlive: true, maxSockets: 16 });

    // The balancer a registry client is: route only to instances whose readiness answered 200.
    const routable = new Set<Instance>();
    const readinessSeen = new Map<Instance, Reply[]>(instances.map((i) => [i, []]));
    let running = true;
    const poll = async (instance: Instance): Promise<void> => {
      while (running) {
        try {
          const reply = await httpGet(`${instance.url}/health/ready`, probeAgent, 1_000);
          readinessSeen.get(instance)?.push(reply);
          if (reply.status === 200) routable.add(instance);
          else routable.delete(instance);
        } catch {
          routable.delete(instance);
        }
        await sleep(100);
      }
    };
    const pollers = instances.map(poll);
    const deadline = Date.now() + 30_000;
    while (routable.size < 2 && Date.now() < deadline) await sleep(50);
    expect(routable.size).toBe(2);

    let turn = 0;
    const { outcomes, sigtermAt, exitedAt, exit } = await sigtermUnderLoad(a, async () => {
      let choices = [...routable];
      while (choices.length === 0) {
        await sleep(10);
        choices = [...routable];
      }
      const target = choices[turn++ % choices.length] as Instance;
      try {
        const reply = await httpGet(`${target.url}/items/slow?ms=200`, loadAgent);
        return { by: target.name, status: reply.status };
      } catch (error) {
        throw new Error(`${target.name}: ${(error as Error).message}`);
      }
    });
    running = false;
    await Promise.all(pollers);
    loadAgent.destroy();

    const failures = outcomes.filter((o) => o.error !== undefined || o.status !== 200);
    expect(failures).toEqual([]);
    expect(outcomes.filter((o) => o.by === 'sheep-a' && o.at < sigtermAt).length).toBeGreaterThan(
      0,
    );
    expect(outcomes.filter((o) => o.by === 'sheep-b' && o.at > exitedAt).length).toBeGreaterThan(0);
    // Requests A had in flight when SIGTERM arrived finished with 200 (checked above with the rest).
    const inFlightAtSigterm = outcomes.filter(
      (o) => o.by === 'sheep-a' && o.at < sigtermAt && o.done > sigtermAt,
    );
    expect(inFlightAtSigterm.length).toBeGreaterThan(0);
    // A answered 503 naming the shutdown while it was still serving (the grace period).
    const aSeen = readinessSeen.get(a) ?? [];
    const shuttingDown = aSeen.find((reply) => reply.status === 503);
    expect(JSON.parse(shuttingDown?.body ?? '{}')).toMatchObject({
      status: 'shutting_down',
      error: { shutdown: { status: 'down' } },
    });
    // Nest re-raises the signal after its hooks ran: exit by SIGTERM, after the last phase logged.
    expect(exit.signal === 'SIGTERM' || exit.code === 0).toBe(true);
    const messages = a.logs.map((record) => String(record.msg));
    expect(messages.some((msg) => msg.startsWith('draining: readiness is 503'))).toBe(true);
    expect(messages.slice(-5)).toContain('closed after SIGTERM');
    expect(exitedAt - sigtermAt).toBeGreaterThanOrEqual(GRACE_MS);

    b.child.kill('SIGTERM');
    await b.exited;
  });
});
