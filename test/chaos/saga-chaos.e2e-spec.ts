import type { ChildProcess } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SAGA_ENTITIES, deadLetterTopic } from '@herd/saga';
import {
  eventually,
  herdInfraEnv,
  infraDown,
  infraUp,
  resolveInfraPorts,
  silentProgress,
  spawnTypeScript,
} from '@herd/testing';
import { Kafka, logLevel } from 'kafkajs';
import { DataSource } from 'typeorm';
import { crashNames } from '../../libs/saga/src/testing/crash-saga';
import { LedgerEntryEntity } from '../../libs/saga/src/testing/ledger-entry.entity';

const CHILD = resolve(__dirname, '..', '..', 'libs', 'saga', 'src', 'testing', 'crash-child.ts');
const SAGAS = 200;

/** Seeded so a failing schedule can be run again: `HERD_CHAOS_SEED=<seed> npx jest test/chaos`. */
const seed = Number(process.env.HERD_CHAOS_SEED ?? randomInt(2 ** 31));
function mulberry32(state: number): () => number {
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** A role in its own process, killed like a crashed container. */
class Role {
  private readonly child: ChildProcess;
  readonly lines: string[] = [];
  private readonly exited: Promise<void>;

  constructor(env: Record<string, string>) {
    this.child = spawnTypeScript(CHILD, { env });
    let buffer = '';
    this.child.stdout?.on('data', (chunk: Buffer) => {
      const parts = (buffer + chunk.toString()).split('\n');
      buffer = parts.pop() ?? '';
      this.lines.push(...parts);
    });
    this.child.stderr?.on('data', (chunk: Buffer) => this.lines.push(`stderr: ${chunk}`));
    this.exited = new Promise((done) => this.child.once('exit', () => done()));
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  line(text: string, timeoutMs = 90_000): Promise<true> {
    return eventually(`child line "${text}"`, async () => this.lines.includes(text) || undefined, {
      timeoutMs,
      abortIf: () => (this.alive ? undefined : `the child exited: ${this.tail()}`),
      explain: () => this.tail(),
    });
  }

  tail(): string {
    return this.lines.slice(-8).join(' | ');
  }

  async kill(): Promise<void> {
    if (this.alive) this.child.kill('SIGKILL');
    await this.exited;
  }
}

/**
 * The chaos suite of issue 9: an orchestrator and a participant in separate processes, each on its
 * own PostgreSQL schema, share real Kafka while 200 sagas run; they are SIGKILLed at random
 * moments, or the broker is restarted under them. Afterwards every saga has ended COMPLETED with
 * exactly one effect per command and no outbox row is left unsent.
 */
describe('@herd/saga under chaos (separate processes, real Kafka and PostgreSQL)', () => {
  const env = herdInfraEnv();
  const roles: Role[] = [];
  const sources: { ds: DataSource; name: string }[] = [];
  const runs: string[] = [];
  const random = mulberry32(seed);

  beforeAll(() => {
    // The one line this suite prints: what it takes to run the same schedule again.
    process.stderr.write(`saga chaos: seed ${seed} (HERD_CHAOS_SEED=${seed} repeats it)\n`);
  });

  afterEach(async () => {
    await Promise.all(roles.splice(0).map((r) => r.kill()));
  });

  afterAll(async () => {
    for (const { ds, name } of sources) {
      await ds.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
      await ds.destroy();
    }
    const admin = new Kafka({ brokers: env.kafkaBrokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const names = runs.map(crashNames);
    const topics = names.flatMap((n) => [n.channel, `${n.orchestrator}.saga-replies`]);
    await admin
      .deleteTopics({ topics: [...topics, ...topics.map(deadLetterTopic)] })
      .catch(() => undefined);
    await admin
      .deleteGroups(names.flatMap((n) => [n.orchestrator, n.participant]))
      .catch(() => undefined);
    await admin.disconnect();
  });

  /** Raw queries name the schema: a DataSource's `schema` only qualifies its entities' tables. */
  const schemaOf = (run: string, role: 'orders' | 'stock') => `chaos_${role}_${run}`;

  /** A fresh schema with the saga tables (and the effects table): each role owns one. */
  async function schema(name: string): Promise<DataSource> {
    const admin = new DataSource({ type: 'postgres', url: env.postgresUrl });
    await admin.initialize();
    await admin.query(`CREATE SCHEMA "${name}"`);
    await admin.destroy();
    const ds = new DataSource({
      type: 'postgres',
      url: env.postgresUrl,
      schema: name,
      entities: [...SAGA_ENTITIES, LedgerEntryEntity],
      synchronize: true,
      extra: { max: 2 },
    });
    await ds.initialize();
    sources.push({ ds, name });
    return ds;
  }

  async function setUp() {
    const run = randomBytes(4).toString('hex');
    runs.push(run);
    const ordersSchema = schemaOf(run, 'orders');
    const stockSchema = schemaOf(run, 'stock');
    const orders = await schema(ordersSchema);
    const stock = await schema(stockSchema);
    const common = { RUN: run, PG_URL: env.postgresUrl, BROKERS: env.kafkaBrokers.join(',') };
    const spawn = {
      orchestrator: () => {
        const role = new Role({
          ...common,
          ROLE: 'orchestrator',
          PG_SCHEMA: ordersSchema,
          TOTAL: String(SAGAS),
          EVERY_MS: '120',
        });
        roles.push(role);
        return role;
      },
      participant: () => {
        const role = new Role({
          ...common,
          ROLE: 'participant',
          PG_SCHEMA: stockSchema,
          HANDLER_MS: '20',
        });
        roles.push(role);
        return role;
      },
    };
    const current = { participant: spawn.participant(), orchestrator: spawn.orchestrator() };
    await current.participant.line('READY');
    await current.orchestrator.line('READY');
    return { run, orders, stock, spawn, current };
  }

  /** Every saga ended COMPLETED, one reserve and one ship each, nothing released, nothing unsent. */
  async function expectExactlyOnce(run: string, orders: DataSource, stock: DataSource) {
    const { saga } = crashNames(run);
    const ordersSchema = schemaOf(run, 'orders');
    const stockSchema = schemaOf(run, 'stock');
    const states = async () =>
      (await orders.query(
        `SELECT state, COUNT(*)::int AS n FROM ${ordersSchema}.herd_saga_instance WHERE saga_type = $1 GROUP BY state`,
        [saga],
      )) as { state: string; n: number }[];
    const finished = await eventually(
      `all ${SAGAS} sagas to end`,
      async () => {
        const now = await states();
        const ended = now.filter((s) => s.state !== 'RUNNING' && s.state !== 'COMPENSATING');
        return ended.reduce((sum, s) => sum + s.n, 0) === SAGAS ? now : undefined;
      },
      { timeoutMs: 150_000, intervalMs: 500, explain: async () => JSON.stringify(await states()) },
    );
    expect(finished).toEqual([{ state: 'COMPLETED', n: SAGAS }]);
    const effects = (await stock.query(
      `SELECT kind, COUNT(*)::int AS n, COUNT(DISTINCT saga_id)::int AS sagas
       FROM ${stockSchema}.test_ledger_entry GROUP BY kind ORDER BY kind`,
    )) as { kind: string; n: number; sagas: number }[];
    expect(effects).toEqual([
      { kind: 'reserve', n: SAGAS, sagas: SAGAS },
      { kind: 'ship', n: SAGAS, sagas: SAGAS },
    ]);
    const unsent = (ds: DataSource, schema: string) =>
      ds
        .query(`SELECT COUNT(*)::int AS n FROM ${schema}.herd_saga_outbox WHERE sent_at IS NULL`)
        .then((rows: { n: number }[]) => rows[0]?.n);
    // A process killed between publish and "mark sent" leaves its rows to the next relay.
    await eventually(
      'no outbox row left unsent',
      async () =>
        ((await unsent(orders, ordersSchema)) === 0 && (await unsent(stock, stockSchema)) === 0) ||
        undefined,
      {
        timeoutMs: 30_000,
        explain: async () =>
          `${await unsent(orders, ordersSchema)} / ${await unsent(stock, stockSchema)}`,
      },
    );
  }

  it('ends every saga exactly once while the orchestrator and the participant are SIGKILLed at random', async () => {
    const { run, orders, stock, spawn, current } = await setUp();
    const victims: ('orchestrator' | 'participant')[] = [
      'orchestrator',
      'orchestrator',
      'orchestrator',
      'participant',
      'participant',
      'participant',
    ].sort(() => random() - 0.5) as ('orchestrator' | 'participant')[];
    for (const victim of victims) {
      await sleep(300 + Math.floor(random() * 2_700));
      await current[victim].kill();
      current[victim] = spawn[victim]();
      await current[victim].line('READY');
    }
    await current.orchestrator.line('STARTED', 150_000);
    await expectExactlyOnce(run, orders, stock);
  }, 420_000);

  it('ends every saga exactly once when the Kafka broker restarts under load', async () => {
    // Restarting the broker is only ours to do when it is the one `npm run infra` runs here.
    const ours = `127.0.0.1:${resolveInfraPorts().kafka}`;
    expect(env.kafkaBrokers).toEqual([ours]);
    const { run, orders, stock, current } = await setUp();
    await eventually(
      'some sagas under way',
      async () =>
        (await stock.query(`SELECT 1 FROM ${schemaOf(run, 'stock')}.test_ledger_entry LIMIT 20`))
          .length === 20 || undefined,
    );
    const managed = { ...process.env, HERD_KAFKA_BROKERS: '' };
    await infraDown({ only: ['kafka'], env: managed, progress: silentProgress });
    await sleep(1_000 + Math.floor(random() * 2_000));
    await infraUp({ only: ['kafka'], env: managed, progress: silentProgress });
    await current.orchestrator.line('STARTED', 150_000);
    await expectExactlyOnce(run, orders, stock);
    expect(current.orchestrator.alive && current.participant.alive).toBe(true);
  }, 420_000);
});
