import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Admin, Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { eventually, herdInfraEnv, spawnTypeScript } from '@herd/testing';

/**
 * The herd shutdown contract, on one full service (every part wired by HerdServiceModule, real
 * PostgreSQL, Kafka and Consul, in its own process): after SIGTERM, readiness answers 503, then
 * the instance leaves Consul, then the Kafka consumer leaves its group with every processed
 * offset committed, then the request in flight finishes (still answered from the database),
 * then the database connections close. An observer polls each from outside and records when
 * it first saw it happen.
 */
const infra = herdInfraEnv();
const run = randomBytes(3).toString('hex');
const service = `herd-order-${run}`;
const role = service.replace(/-/g, '_');
const instanceId = `${service}-1`;
const channel = `${service}.commands`;
const dir = mkdtempSync(join(tmpdir(), 'herd-order-'));
const enteredFile = join(dir, 'entered');
const releaseFile = join(dir, 'release');

type Moment =
  | 'ready 503'
  | 'deregistered'
  | 'consumer left, offsets committed'
  | 'request finished'
  | 'database closed';

describe('shutdown order of a full HerdServiceModule service (SIGTERM, real servers)', () => {
  let admin: Admin;
  let pg: Client;
  const kafka = new Kafka({
    brokers: infra.kafkaBrokers,
    clientId: `${service}-test`,
    logLevel: logLevel.NOTHING,
  });

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
    pg = new Client({ connectionString: infra.postgresUrl });
    await pg.connect();
  });

  afterAll(async () => {
    await admin.disconnect();
    await pg.query(`DROP DATABASE IF EXISTS ${role} WITH (FORCE)`);
    await pg.query(`DROP ROLE IF EXISTS ${role}`);
    await pg.end();
    rmSync(dir, { recursive: true, force: true });
  });

  it('503, deregistered, consumers stopped with offsets committed, in-flight finished, database closed', async () => {
    const child = spawnTypeScript(join(__dirname, 'fixtures', 'shutdown-order.main.ts'), {
      env: {
        HERD_FIXTURE_SERVICE: service,
        HERD_FIXTURE_ENTERED_FILE: enteredFile,
        HERD_FIXTURE_RELEASE_FILE: releaseFile,
        HERD_POSTGRES_URL: infra.postgresUrl,
        HERD_KAFKA_BROKERS: infra.kafkaBrokers.join(','),
        HERD_CONSUL_URL: infra.consulUrl,
        HERD_INSTANCE_ID: instanceId,
        HOST: '127.0.0.1',
        PORT: '0',
      },
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    const explain = () => output.split('\n').slice(-30).join('\n');
    try {
      const port = await eventually(
        'the service to listen',
        async () => /HERD_FIXTURE_PORT=(\d+)/.exec(output)?.[1],
        {
          timeoutMs: 90_000,
          explain,
          abortIf: () => (child.exitCode !== null ? 'it exited' : undefined),
        },
      );
      const base = `http://127.0.0.1:${port}`;
      const agentService = new URL(`/v1/agent/service/${instanceId}`, infra.consulUrl);
      await eventually(
        'registered, ready, and a member of its consumer group',
        async () => {
          const registered = (await fetch(agentService)).status === 200;
          const ready = (await fetch(`${base}/health/ready`)).status === 200;
          const [group] = (await admin.describeGroups([service])).groups;
          return registered && ready && group?.state === 'Stable' ? true : undefined;
        },
        { timeoutMs: 90_000, explain },
      );

      // Work the consumer has to account for: three (invalid) commands, dead-lettered on arrival.
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({
        topic: channel,
        messages: [1, 2, 3].map((i) => ({ value: `junk ${i}` })),
      });
      await producer.disconnect();
      const endOffsets = async (topic: string) =>
        (await admin.fetchTopicOffsets(topic)).map((p) => ({
          partition: p.partition,
          offset: p.high,
        }));
      await eventually(
        'the three commands dead-lettered',
        async () => {
          const dlq = await endOffsets(`${channel}.dlq`).catch(() => []);
          return dlq.reduce((sum, p) => sum + Number(p.offset), 0) === 3 ? true : undefined;
        },
        { explain },
      );

      const held = fetch(`${base}/hold`).then(async (response) => ({
        at: Date.now(),
        status: response.status,
        body: (await response.json()) as { db: number },
      }));
      await eventually('the request to be in flight', async () =>
        existsSync(enteredFile) ? true : undefined,
      );

      const seen = new Map<Moment, number>();
      const mark = (moment: Moment, at = Date.now()) => seen.has(moment) || seen.set(moment, at);
      let hadConnections = false;
      let exitedAt: number | undefined;
      void exited.then(() => (exitedAt = Date.now()));
      child.kill('SIGTERM');
      const observing = (async () => {
        // Until the last moment is seen, or the process is gone for 3 s (a missing moment fails below).
        while (!seen.has('database closed') && !(exitedAt && Date.now() > exitedAt + 3000)) {
          // Each round asks the latest moment first and stamps all it sees with the round's start:
          // a later moment seen means every earlier one, asked after it, is seen in the same round
          // (an equal stamp) unless it truly had not happened yet (a later stamp, a failure below).
          const round = Date.now();
          const { rows } = await pg.query<{ open: number }>(
            'SELECT count(*)::int AS open FROM pg_stat_activity WHERE application_name = $1',
            [`herd:${service}`],
          );
          if (rows[0]?.open) hadConnections = true;
          else if (hadConnections) mark('database closed', round);
          if (!seen.has('consumer left, offsets committed')) {
            const [group] = (await admin.describeGroups([service])).groups;
            if (group?.state === 'Empty') {
              const [committed] = await admin.fetchOffsets({ groupId: service, topics: [channel] });
              const end = await endOffsets(channel);
              const all = committed?.partitions.every(
                (p) => p.offset === end.find((e) => e.partition === p.partition)?.offset,
              );
              if (all) mark('consumer left, offsets committed', round);
              // Only now may the request in flight finish: it must still be served from the database.
              writeFileSync(releaseFile, 'go\n');
            }
          }
          if ((await fetch(agentService)).status === 404) mark('deregistered', round);
          const ready = await fetch(`${base}/health/ready`).then(
            (r) => r.status,
            () => 0,
          );
          if (ready !== 200) mark('ready 503', round);
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
      })();
      const request = await held;
      mark('request finished', request.at);
      await observing;
      await exited;

      expect(request.status).toBe(200);
      expect(request.body).toEqual({ db: 1 });
      expect(seen.size).toBe(5);
      const at = (moment: Moment) => seen.get(moment) as number;
      expect(at('ready 503')).toBeLessThanOrEqual(at('deregistered'));
      expect(at('deregistered')).toBeLessThanOrEqual(at('consumer left, offsets committed'));
      // Released only once the consumer was seen gone, the request answered from the database
      // ({ db: 1 } above): it had its connection after intake stopped and before the pool closed.
      expect(at('consumer left, offsets committed')).toBeLessThanOrEqual(at('request finished'));
      expect(at('consumer left, offsets committed')).toBeLessThanOrEqual(at('database closed'));
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 240_000);
});
