import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { resolve } from 'node:path';
import { TcpProxy, herdInfraEnv, silenceNestLogger, spawnTypeScript } from '@herd/testing';
import { Kafka, logLevel } from 'kafkajs';
import { DataSource } from 'typeorm';
import { SAGA_ENTITIES } from './saga.entities';
import { SagaInstanceEntity } from './orchestrator/saga-instance.entity';
import type { SagaRuntime } from './saga-runtime';
import { KafkaSagaTransport } from './transport/kafka/kafka-saga.transport';
import { crashNames, crashOrchestrator, crashParticipant } from './testing/crash-saga';
import { LedgerEntryEntity } from './testing/ledger-entry.entity';
import { PgTestSchema } from './testing/pg-test-schema';
import { waitFor } from './testing/wait-for';
import { deadLetterTopic } from './transport/saga-transport';

const CHILD = resolve(__dirname, 'testing', 'crash-child.ts');

/** A role running in its own process, so the test can SIGKILL it like a crashed container. */
class Child {
  private readonly process: ChildProcess;
  readonly lines: string[] = [];
  private exited: Promise<void>;

  constructor(env: Record<string, string>) {
    this.process = spawnTypeScript(CHILD, { env });
    let buffer = '';
    this.process.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const parts = buffer.split('\n');
      buffer = parts.pop() ?? '';
      this.lines.push(...parts);
    });
    this.process.stderr?.on('data', (chunk: Buffer) => this.lines.push(`stderr: ${chunk}`));
    this.exited = new Promise((done) => this.process.once('exit', () => done()));
  }

  waitForLine(prefix: string, timeoutMs = 60_000): Promise<string> {
    return waitFor(
      () => this.lines.find((line) => line.startsWith(prefix)),
      `child line "${prefix}" (got: ${this.lines.slice(-5).join(' | ')})`,
      timeoutMs,
    );
  }

  async kill(): Promise<void> {
    this.process.kill('SIGKILL');
    await this.exited;
  }

  /** A graceful stop, as Marathon or `docker stop` ask for: SIGTERM and wait for the exit. */
  async terminate(): Promise<number | null> {
    this.process.kill('SIGTERM');
    await this.exited;
    return this.process.exitCode;
  }
}

describe('@herd/saga crash recovery (SIGKILLed child processes, real Kafka and PostgreSQL)', () => {
  // The in-process participant retries through the broken proxy on purpose: its WARN lines are expected.
  silenceNestLogger();
  const env = herdInfraEnv();
  const schema = new PgTestSchema(env.postgresUrl);
  const runs: string[] = [];
  let db: DataSource;
  const children: Child[] = [];
  let inProcess: SagaRuntime | undefined;

  const childEnv = (run: string, role: string, extra: Record<string, string>) => ({
    ROLE: role,
    RUN: run,
    PG_URL: env.postgresUrl,
    PG_SCHEMA: schema.name,
    BROKERS: env.kafkaBrokers.join(','),
    ...extra,
  });
  const spawnChild = (run: string, role: string, extra: Record<string, string> = {}) => {
    const child = new Child(childEnv(run, role, extra));
    children.push(child);
    return child;
  };

  beforeAll(async () => {
    await schema.create();
    await schema.synchronize([LedgerEntryEntity]);
    db = await schema.dataSource([LedgerEntryEntity], 10);
  });

  afterEach(async () => {
    await Promise.all(children.splice(0).map((c) => c.kill()));
    await inProcess?.close();
    inProcess = undefined;
  });

  afterAll(async () => {
    const admin = new Kafka({ brokers: env.kafkaBrokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const topics = runs.flatMap((run) => {
      const n = crashNames(run);
      return [n.channel, deadLetterTopic(n.channel), `${n.orchestrator}.saga-replies`];
    });
    await admin
      .deleteTopics({ topics: [...topics, ...topics.map(deadLetterTopic)] })
      .catch(() => undefined);
    await admin
      .deleteGroups(
        runs.flatMap((run) => [crashNames(run).orchestrator, crashNames(run).participant]),
      )
      .catch(() => undefined);
    await admin.disconnect();
    await schema.drop();
  });

  /** Every saga of the run COMPLETED, with exactly one reserve and one ship effect each. */
  async function expectExactlyOnceCompletion(run: string, minimum: number): Promise<void> {
    const saga = crashNames(run).saga;
    await waitFor(
      async () => {
        const open = await db.manager.count(SagaInstanceEntity, {
          where: [
            { sagaType: saga, state: 'RUNNING' },
            { sagaType: saga, state: 'COMPENSATING' },
          ],
        });
        return open === 0 ? true : undefined;
      },
      `every ${saga} saga to end`,
      60_000,
      250,
    );
    const instances = await db.manager.find(SagaInstanceEntity, { where: { sagaType: saga } });
    expect(instances.length).toBeGreaterThanOrEqual(minimum);
    expect(instances.every((i) => i.state === 'COMPLETED')).toBe(true);
    const effects: { saga_id: string; kind: string; n: string }[] = await db.query(
      `SELECT saga_id, kind, COUNT(*) AS n FROM ${schema.name}.test_ledger_entry
       WHERE saga_id = ANY($1) GROUP BY saga_id, kind`,
      [instances.map((i) => i.id)],
    );
    expect(effects).toHaveLength(instances.length * 2);
    expect(effects.every((e) => Number(e.n) === 1 && e.kind !== 'release')).toBe(true);
  }

  it('finishes every saga with no duplicate effect after the orchestrator is SIGKILLed mid-saga', async () => {
    const run = randomBytes(4).toString('hex');
    runs.push(run);
    inProcess = crashParticipant(run, db, env.kafkaBrokers, 40, () => undefined);
    await inProcess.start();
    const first = spawnChild(run, 'orchestrator', { START: '40' });
    await waitFor(
      async () => ((await db.manager.count(LedgerEntryEntity)) >= 8 ? true : undefined),
      'some effects before the crash',
    );
    await first.kill();
    const saga = crashNames(run).saga;
    const unfinished = await db.manager.count(SagaInstanceEntity, {
      where: { sagaType: saga, state: 'RUNNING' },
    });
    expect(unfinished).toBeGreaterThan(0);
    const second = spawnChild(run, 'orchestrator', { START: '0' });
    await second.waitForLine('READY');
    await expectExactlyOnceCompletion(run, unfinished);
  });

  it('keeps heartbeating through a handler longer than the session timeout (no rebalance)', async () => {
    const run = randomBytes(4).toString('hex');
    runs.push(run);
    const handled: string[] = [];
    // Session timeout 6 s; the reserve handler takes 8 s.
    const participant = crashParticipant(run, db, env.kafkaBrokers, 8_000, (l) => handled.push(l));
    inProcess = participant;
    await participant.start();
    const orchestrator = crashOrchestrator(run, db, env.kafkaBrokers);
    await orchestrator.start();
    try {
      await orchestrator.orchestrator.start(crashNames(run).saga, { n: 1 });
      await expectExactlyOnceCompletion(run, 1);
      expect(handled.map((l) => l.split(' ')[1])).toEqual(['reserve', 'ship']);
      expect((participant.transport as KafkaSagaTransport).groupJoins).toBe(1);
    } finally {
      await orchestrator.close();
    }
  });

  it('recovers when the participant loses its database mid-flow, still with one effect each', async () => {
    const run = randomBytes(4).toString('hex');
    runs.push(run);
    const url = new URL(env.postgresUrl);
    const proxy = new TcpProxy(url.hostname, Number(url.port));
    await proxy.start();
    url.port = String(proxy.port);
    const proxied = await new DataSource({
      type: 'postgres',
      url: url.toString(),
      schema: schema.name,
      entities: [...SAGA_ENTITIES, LedgerEntryEntity],
      extra: { max: 5, connectionTimeoutMillis: 1_000 },
    }).initialize();
    const participant = crashParticipant(run, proxied, env.kafkaBrokers, 0, () => undefined);
    inProcess = participant;
    await participant.start();
    const orchestrator = crashOrchestrator(run, db, env.kafkaBrokers);
    await orchestrator.start();
    try {
      await proxy.cut();
      for (let n = 0; n < 5; n += 1)
        await orchestrator.orchestrator.start(crashNames(run).saga, { n });
      // Commands arrive while the participant's database is unreachable: nothing is acknowledged.
      await sleep(2_000);
      await proxy.restore();
      await expectExactlyOnceCompletion(run, 5);
      // Retried in the process while the database was away: the consumer never left its group.
      expect((participant.transport as KafkaSagaTransport).groupJoins).toBe(1);
    } finally {
      await orchestrator.close();
      await participant.close();
      inProcess = undefined;
      await proxied.destroy();
      await proxy.cut();
    }
  });

  it('applies a command exactly once when the participant is SIGKILLed mid-handler', async () => {
    const run = randomBytes(4).toString('hex');
    runs.push(run);
    const hanging = spawnChild(run, 'participant', { HANDLER_MS: '600000' });
    await hanging.waitForLine('READY');
    inProcess = crashOrchestrator(run, db, env.kafkaBrokers);
    await inProcess.start();
    for (let n = 0; n < 10; n += 1) await inProcess.orchestrator.start(crashNames(run).saga, { n });
    await hanging.waitForLine('HANDLING');
    await hanging.kill();
    // Killed inside its transaction: nothing it did is visible.
    const visible: { n: string }[] = await db.query(
      `SELECT COUNT(*) AS n FROM ${schema.name}.test_ledger_entry l
       JOIN ${schema.name}.herd_saga_instance s ON s.id = l.saga_id WHERE s.saga_type = $1`,
      [crashNames(run).saga],
    );
    expect(Number(visible[0]?.n)).toBe(0);
    const healthy = spawnChild(run, 'participant', { HANDLER_MS: '20' });
    await healthy.waitForLine('READY');
    await expectExactlyOnceCompletion(run, 10);
    // Redelivered commands that were already applied are skipped by the inbox, not re-run.
    const handled = healthy.lines.filter((l) => l.startsWith('HANDLING')).length;
    expect(handled).toBe(20);
  });

  it('loses no command and applies none twice when the participant is stopped with SIGTERM under load', async () => {
    const run = randomBytes(4).toString('hex');
    runs.push(run);
    const effectsOfRun = async () => {
      const rows: { n: string }[] = await db.query(
        `SELECT COUNT(*) AS n FROM ${schema.name}.test_ledger_entry l
         JOIN ${schema.name}.herd_saga_instance s ON s.id = l.saga_id WHERE s.saga_type = $1`,
        [crashNames(run).saga],
      );
      return Number(rows[0]?.n);
    };
    const first = spawnChild(run, 'participant', { HANDLER_MS: '30' });
    await first.waitForLine('READY');
    inProcess = crashOrchestrator(run, db, env.kafkaBrokers);
    await inProcess.start();
    for (let n = 0; n < 40; n += 1) await inProcess.orchestrator.start(crashNames(run).saga, { n });
    await waitFor(
      async () => ((await effectsOfRun()) >= 10 ? true : undefined),
      'some effects before the stop',
    );
    expect(await first.terminate()).toBe(0);
    expect(first.lines).toContain('STOPPED');
    // Stopped mid-load: the rest is left for the next instance.
    expect(await effectsOfRun()).toBeLessThan(80);
    const second = spawnChild(run, 'participant', { HANDLER_MS: '30' });
    await second.waitForLine('READY');
    await expectExactlyOnceCompletion(run, 40);
  });
});
