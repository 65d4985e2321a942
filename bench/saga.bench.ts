import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  BenchMetric,
  BenchScenario,
  benchMetric,
  createTestTopics,
  herdInfraEnv,
  percentile,
} from '@herd/testing';
import { OutboxMessageEntity, SagaRuntime } from '@herd/saga';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { Pool } from 'pg';
import { IsNull, type DataSource } from 'typeorm';
import { LedgerEntryEntity } from '../libs/saga/src/testing/ledger-entry.entity';
import { PgTestSchema } from '../libs/saga/src/testing/pg-test-schema';
import { dbosPeer } from './saga-roles/dbos';
import { handWritten } from './saga-roles/floor';
import { herdSaga } from './saga-roles/herd';
import type { RoleProcess } from './saga-roles/role-process';

/**
 * A 2-step saga (orchestrator → participant → orchestrator, twice) through @herd/saga, against a
 * floor doing the same hops and writes by hand with kafkajs and pg; then the outbox relay against
 * a raw batched producer with kafkajs' default options.
 */
const PARTITIONS = 6;
const LEVELS = [1, 16, 64, 128];
const WINDOW_MS = 6_000;
const ROUNDS = 3;
const RELAY_MESSAGES = 10_000;
const RELAY_ROUNDS = 3;
const BATCH = 500;
/** Connections per role, Herd's and the floor's alike. */
const POOL_SIZE = 20;
/** Per system, before the first measured round: the JIT has compiled the hot paths by then. */
const WARM_UP_MS = 5_000;

interface LoadResult {
  readonly perSecond: number;
  readonly latencies: number[];
}

/** Closed loop: `concurrency` workers each start a saga and wait for its end, for `windowMs`. */
async function closedLoop(
  concurrency: number,
  windowMs: number,
  runOne: () => Promise<void>,
): Promise<LoadResult> {
  const latencies: number[] = [];
  const started = performance.now();
  const until = started + windowMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        const t0 = performance.now();
        await runOne();
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const elapsed = performance.now() - started;
  return {
    perSecond: (latencies.length / elapsed) * 1000,
    latencies: latencies.sort((a, b) => a - b),
  };
}

/** A system under load: the orchestrator in this process, the participant in its own. */
interface SagaSystem {
  readonly runOne: () => Promise<void>;
  readonly participant: RoleProcess;
}

/**
 * One system's rounds at one concurrency: sagas/s (the mean of the rounds), latencies, and the
 * CPU both of its processes spent per saga (this process's includes the idle systems' pollers).
 */
class Tally {
  perSecond = 0;
  private rounds = 0;
  private sagas = 0;
  private cpuMs = 0;
  private participantCpuMs = 0;
  private readonly latencies: number[] = [];

  async measure(system: SagaSystem, round: () => Promise<LoadResult>): Promise<void> {
    const cpuBefore = process.cpuUsage();
    const participantBefore = system.participant.cpuMs();
    const result = await round();
    const cpu = process.cpuUsage(cpuBefore);
    const participantCpu = system.participant.cpuMs() - participantBefore;
    this.cpuMs += (cpu.user + cpu.system) / 1000 + participantCpu;
    this.participantCpuMs += participantCpu;
    this.perSecond = (this.perSecond * this.rounds + result.perSecond) / (this.rounds + 1);
    this.rounds += 1;
    this.sagas += result.latencies.length;
    this.latencies.push(...result.latencies);
  }

  get cpuMsPerSaga(): number {
    return this.cpuMs / this.sagas;
  }

  /** CPU per saga, both processes and the participant's, for the progress lines. */
  get cpu(): string {
    return `${this.cpuMsPerSaga.toFixed(2)} ms CPU (participant ${(this.participantCpuMs / this.sagas).toFixed(2)})`;
  }

  sorted(): number[] {
    return this.latencies.sort((a, b) => a - b);
  }
}

/** Open loop at a fixed rate, to read latency at a given fraction of the max throughput. */
async function openLoop(rate: number, windowMs: number, runOne: () => Promise<void>) {
  const latencies: number[] = [];
  const pending: Promise<void>[] = [];
  const started = performance.now();
  for (let i = 0; performance.now() - started < windowMs; i += 1) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const t0 = performance.now();
    pending.push(runOne().then(() => void latencies.push(performance.now() - t0)));
  }
  await Promise.all(pending);
  return latencies.sort((a, b) => a - b);
}

async function relayVersusRaw(
  run: string,
  brokers: string[],
  relayDb: DataSource,
  progress: (m: string) => void,
) {
  const topic = `herd-bench.relay.${run}`;
  const value = JSON.stringify({ payload: 'x'.repeat(200) });
  const kafka = new Kafka({ brokers, clientId: `raw-${run}`, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await createTestTopics(admin, [{ topic, numPartitions: PARTITIONS }]);
  await admin.disconnect();

  // kafkajs' defaults (no idempotence, requests in flight unbounded): what a user gets without
  // asking, so the relay's price for ordered, idempotent sends shows.
  const producer: Producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const runtime = new SagaRuntime({
    dataSource: relayDb,
    serviceName: `bench-relay-${run}`,
    transport: { type: 'kafka', brokers, clientId: `relay-${run}`, createTopics: false },
    relay: { batchSize: BATCH, pollIntervalMs: 10 },
  });
  // Alternate raw and relay rounds so both see the same machine load; keep each one's best.
  let raw = 0;
  let relay = 0;
  for (let round = 0; round < RELAY_ROUNDS; round += 1) {
    let t0 = performance.now();
    for (let i = 0; i < RELAY_MESSAGES; i += BATCH) {
      await producer.sendBatch({
        acks: -1,
        topicMessages: [
          {
            topic,
            messages: Array.from({ length: BATCH }, (_, j) => ({
              key: `k${(i + j) % 1000}`,
              value,
              headers: { 'herd-message-id': randomUUID() },
            })),
          },
        ],
      });
    }
    raw = Math.max(raw, RELAY_MESSAGES / ((performance.now() - t0) / 1000));
    const rows = Array.from({ length: RELAY_MESSAGES }, (_, i) => ({
      topic,
      key: `k${i % 1000}`,
      messageId: randomUUID(),
      headers: { 'herd-message-id': 'x' },
      value,
      createdAt: Date.now(),
      sentAt: null,
    }));
    // One transaction: the running relay (rounds 2 and 3) sees no row before the clock starts.
    await relayDb.transaction(async (manager) => {
      for (let i = 0; i < rows.length; i += 1000) {
        await manager.insert(OutboxMessageEntity, rows.slice(i, i + 1000));
      }
    });
    t0 = performance.now();
    if (round === 0) await runtime.start();
    else runtime.relay.kick();
    while (
      (await relayDb.manager.count(OutboxMessageEntity, { where: { sentAt: IsNull() } })) > 0
    ) {
      await sleep(5);
    }
    relay = Math.max(relay, RELAY_MESSAGES / ((performance.now() - t0) / 1000));
    progress(
      `round ${round + 1}: raw producer ${raw.toFixed(0)} msgs/s, outbox relay ${relay.toFixed(0)} msgs/s (best so far)`,
    );
  }
  await producer.disconnect();
  await runtime.close();
  return { raw, relay, topic };
}

const scenario: BenchScenario = async (progress) => {
  const env = herdInfraEnv();
  const run = randomBytes(4).toString('hex');
  const schemas = [0, 1, 2, 3, 4, 5].map(() => new PgTestSchema(env.postgresUrl));
  const topics: string[] = [];
  const groups = ['bench-orders', 'bench-credit', 'floor-part', 'floor-orch', 'bench-relay'].map(
    (g) => `${g}-${run}`,
  );
  /** Schemas made by others than PgTestSchema (DBOS's system schemas). */
  const extraSchemas: string[] = [];
  const metrics: BenchMetric[] = [];
  /** What is running, newest last: a failure part-way must not leave a runtime polling. */
  const running: (() => Promise<void>)[] = [];
  const stopRunning = async () => {
    for (const close of running.splice(0).reverse()) await close().catch(() => undefined);
  };
  try {
    for (const s of schemas) {
      await s.create();
      await s.synchronize([LedgerEntryEntity]);
    }
    const [orchestratorDb, relayDb] = await Promise.all([
      schemas[0]!.dataSource([LedgerEntryEntity], POOL_SIZE),
      schemas[2]!.dataSource([LedgerEntryEntity], 10),
    ]);
    const roles = { run, brokers: env.kafkaBrokers, url: env.postgresUrl, partitions: PARTITIONS };
    const herd = await herdSaga(
      { ...roles, participantSchema: schemas[1]!.name, poolSize: POOL_SIZE },
      orchestratorDb,
    );
    running.push(herd.close);
    const floor = await handWritten({
      ...roles,
      poolSize: POOL_SIZE,
      schemas: { orchestrator: schemas[3]!.name, participant: schemas[4]!.name },
    });
    running.push(floor.close);
    const peer = await dbosPeer({ ...roles, ledgerSchema: schemas[5]!.name, poolSize: POOL_SIZE });
    running.push(peer.close);
    topics.push(...herd.topics, ...floor.topics, ...peer.topics);
    extraSchemas.push(...peer.schemas);
    groups.push(...peer.groups);
    progress('warming up each system (connections, metadata, JIT)');
    for (const system of [herd, floor, peer]) await closedLoop(16, WARM_UP_MS, system.runOne);
    let best = 0;
    for (const concurrency of LEVELS) {
      // Alternate short rounds so every system sees the same (shared, noisy) machine load.
      const baseline = new Tally();
      const measured = new Tally();
      const dbos = new Tally();
      for (let round = 0; round < ROUNDS; round += 1) {
        for (const [tally, system] of [
          [baseline, floor],
          [measured, herd],
          [dbos, peer],
        ] as const) {
          await tally.measure(system, () =>
            closedLoop(concurrency, WINDOW_MS / ROUNDS, system.runOne),
          );
        }
      }
      best = Math.max(best, measured.perSecond);
      progress(
        `c=${concurrency}: herd ${measured.perSecond.toFixed(1)}/s, ${measured.cpu}; floor ${baseline.perSecond.toFixed(1)}/s, ${baseline.cpu}; DBOS ${dbos.perSecond.toFixed(1)}/s`,
      );
      const at = (sorted: number[], p: number) => percentile(sorted, p);
      metrics.push(
        benchMetric(
          `saga throughput c=${concurrency}`,
          measured.perSecond,
          'sagas/s',
          baseline.perSecond,
          '>= 0.8x floor and >= 300 sagas/s',
        ),
        benchMetric(
          `saga Node CPU per saga c=${concurrency}`,
          measured.cpuMsPerSaga,
          'ms',
          baseline.cpuMsPerSaga,
          "informative (both roles' processes)",
        ),
        benchMetric(
          `saga p50 latency c=${concurrency}`,
          at(measured.sorted(), 50),
          'ms',
          at(baseline.sorted(), 50),
          'informative',
        ),
        benchMetric(
          `saga p99 latency c=${concurrency}`,
          at(measured.sorted(), 99),
          'ms',
          at(baseline.sorted(), 99),
          'informative',
        ),
        // The peer as baseline: a ratio above 1 (throughput) or below 1 (latency) favours Herd.
        benchMetric(
          `saga throughput c=${concurrency} vs DBOS peer`,
          measured.perSecond,
          'sagas/s',
          dbos.perSecond,
          'informative (peer: DBOS Transact workflows)',
        ),
        benchMetric(
          `saga p99 latency c=${concurrency} vs DBOS peer`,
          at(measured.sorted(), 99),
          'ms',
          at(dbos.sorted(), 99),
          'informative (peer: DBOS Transact workflows)',
        ),
      );
    }
    const halfRate = best / 2;
    const atHalf: number[] = [];
    const floorAtHalf: number[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      floorAtHalf.push(...(await openLoop(halfRate, WINDOW_MS / ROUNDS, floor.runOne)));
      atHalf.push(...(await openLoop(halfRate, WINDOW_MS / ROUNDS, herd.runOne)));
    }
    atHalf.sort((a, b) => a - b);
    floorAtHalf.sort((a, b) => a - b);
    metrics.push(
      benchMetric(
        `saga p99 latency at half max (${halfRate.toFixed(0)}/s)`,
        percentile(atHalf, 99),
        'ms',
        percentile(floorAtHalf, 99),
        'p99 <= 100 ms',
      ),
    );
    await stopRunning();
    const relay = await relayVersusRaw(run, env.kafkaBrokers, relayDb, progress);
    topics.push(relay.topic);
    metrics.push(
      benchMetric(
        'outbox relay',
        relay.relay,
        'msgs/s',
        relay.raw,
        '>= 0.7x raw producer and >= 10000 msgs/s',
      ),
    );
    return metrics;
  } catch (error) {
    // Said before the cleanup, which a half-started run can make slow.
    progress(`failed: ${(error as Error).stack ?? String(error)}`);
    throw error;
  } finally {
    await stopRunning();
    const admin = new Kafka({ brokers: env.kafkaBrokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin
      .deleteTopics({ topics: [...topics, ...topics.map((t) => `${t}.dlq`)] })
      .catch(() => undefined);
    await admin.deleteGroups(groups).catch(() => undefined);
    await admin.disconnect();
    const pg = new Pool({ connectionString: env.postgresUrl, max: 1 });
    for (const name of extraSchemas) await pg.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
    await pg.end();
    for (const s of schemas) await s.drop();
  }
};

export default scenario;
