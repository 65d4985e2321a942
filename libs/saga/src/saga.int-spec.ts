import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { herdInfraEnv } from '@herd/testing';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { register } from 'prom-client';
import { DataSource, In, IsNull, Not } from 'typeorm';
import { defineSaga } from './core/saga-definition.builder';
import { validatedBy } from './core/payload-schema';
import { TERMINAL_SAGA_STATES } from './core/saga-state';
import { SagaCommandRejectedError } from './errors/saga-command-rejected.error';
import { SagaOptionsError } from './errors/saga-options.error';
import type { SagaCommandContext } from './interfaces/saga-command-handler.interface';
import type { SagaView } from './interfaces/saga-view.interface';
import { SagaCommandHandler } from './nest/saga-command-handler.decorator';
import { SagaHealthIndicator } from './nest/saga-health.indicator';
import { SagaOrchestrator } from './orchestrator/saga-orchestrator';
import { OutboxMessageEntity } from './outbox/outbox-message.entity';
import { InboxMessageEntity } from './inbox/inbox-message.entity';
import { SagaRuntime } from './saga-runtime';
import { SagaModule } from './saga.module';
import { SAGA_ENVELOPE_VERSION, SAGA_HEADERS } from './saga.constants';
import { LedgerEntryEntity } from './testing/ledger-entry.entity';
import { PgTestSchema } from './testing/pg-test-schema';
import { waitFor } from './testing/wait-for';
import { deadLetterTopic } from './transport/saga-transport';

const run = randomBytes(4).toString('hex');
const CREDIT = `herd-saga-it.credit.${run}`;
const SHIPPING = `herd-saga-it.shipping.${run}`;
const SAGA = `order-${run}`;
const BULK_SAGA = `bulk-order-${run}`;
const ORDERS = `orders-${run}`;
const CREDIT_SERVICE = `credit-${run}`;

interface Order {
  orderId: string;
  amount: number;
  reservation?: string;
  confirmed?: boolean;
}

const orderSchema = validatedBy<{ orderId: string; amount: number }>((p) => {
  const v = p as Partial<Order>;
  return typeof v?.orderId === 'string' && typeof v.amount === 'number' && v.amount > 0
    ? []
    : ['orderId (string) and amount (> 0) are required'];
});

function orderSaga(version: number) {
  const builder = defineSaga<Order>(SAGA, version)
    .data(orderSchema)
    .remote('reserve-credit', {
      channel: CREDIT,
      command: 'credit.reserve',
      payload: (d) => ({ orderId: d.orderId, amount: d.amount }),
      onReply: (d, reply) => ({
        ...d,
        reservation: (reply as { reservation: string }).reservation,
      }),
      compensate: { command: 'credit.release', payload: (d) => ({ orderId: d.orderId }) },
      timeoutMs: 10_000,
    })
    .remote('ship', {
      channel: SHIPPING,
      command: 'ship.create',
      payload: (d) => ({ orderId: d.orderId }),
      compensate: { command: 'ship.cancel', payload: (d) => ({ orderId: d.orderId }) },
      timeoutMs: 1_500,
    });
  // Version 2 adds a local confirmation step after shipping.
  if (version === 2) builder.local('confirm', { run: (d) => ({ ...d, confirmed: true }) });
  return builder.build();
}

/** Same hops as the order saga with timeouts long enough for a 1,000-saga burst. */
const bulkSaga = defineSaga<Order>(BULK_SAGA, 1)
  .remote('reserve-credit', {
    channel: CREDIT,
    command: 'credit.reserve',
    payload: (d) => ({ orderId: d.orderId, amount: d.amount }),
    compensate: { command: 'credit.release', payload: (d) => ({ orderId: d.orderId }) },
    timeoutMs: 60_000,
  })
  .remote('ship', {
    channel: SHIPPING,
    command: 'ship.create',
    payload: (d) => ({ orderId: d.orderId }),
    timeoutMs: 60_000,
  })
  .build();

/** Holds `hold-*` reservations until the test opens the gate. */
let gate: Promise<void> = Promise.resolve();
let openGate: () => void = () => undefined;

@Injectable()
class CreditParticipant {
  @SagaCommandHandler('credit.reserve', { channel: CREDIT, schema: orderSchema })
  async reserve(p: Order, { manager, envelope }: SagaCommandContext) {
    if (p.orderId.startsWith('hold-')) await gate;
    await manager.insert(LedgerEntryEntity, { sagaId: envelope.sagaId, kind: 'reserve' });
    return { reservation: `res-${p.orderId}` };
  }

  @SagaCommandHandler('credit.release', { channel: CREDIT })
  async release(_p: unknown, { manager, envelope }: SagaCommandContext) {
    await manager.insert(LedgerEntryEntity, { sagaId: envelope.sagaId, kind: 'release' });
  }

  @SagaCommandHandler('ship.create', { channel: SHIPPING })
  async ship(p: Order, { manager, envelope }: SagaCommandContext) {
    await manager.insert(LedgerEntryEntity, { sagaId: envelope.sagaId, kind: 'ship' });
    if (p.orderId.startsWith('reject-')) throw new SagaCommandRejectedError('no courier available');
    if (p.orderId.startsWith('slow-')) await sleep(2_500);
  }

  @SagaCommandHandler('ship.cancel', { channel: SHIPPING })
  async cancel(_p: unknown, { manager, envelope }: SagaCommandContext) {
    await manager.insert(LedgerEntryEntity, { sagaId: envelope.sagaId, kind: 'ship-cancel' });
  }
}

describe('@herd/saga on real Kafka and PostgreSQL', () => {
  const env = herdInfraEnv();
  const kafkaOptions = { type: 'kafka' as const, brokers: env.kafkaBrokers, clientId: run };
  const orchestratorSchema = new PgTestSchema(env.postgresUrl);
  const participantSchema = new PgTestSchema(env.postgresUrl);
  let orchestratorDb: DataSource;
  let participantDb: DataSource;
  let orchestratorApp: TestingModule;
  let participantApp: TestingModule | undefined;
  let orchestrator: SagaOrchestrator;
  let admin: Admin;

  async function bootOrchestrator(versions: number[]): Promise<TestingModule> {
    const app = await Test.createTestingModule({
      imports: [
        SagaModule.forRootAsync({
          useFactory: () => ({
            dataSource: orchestratorDb,
            serviceName: ORDERS,
            transport: kafkaOptions,
            definitions: [...versions.map(orderSaga), bulkSaga],
            timeoutCheckIntervalMs: 200,
            // No polling within a test: only local kicks and LISTEN/NOTIFY can wake the relay.
            relay: { pollIntervalMs: 600_000 },
          }),
        }),
      ],
    }).compile();
    await app.init();
    return app;
  }

  beforeAll(async () => {
    await Promise.all([orchestratorSchema.create(), participantSchema.create()]);
    await orchestratorSchema.synchronize();
    await participantSchema.synchronize([LedgerEntryEntity]);
    orchestratorDb = await orchestratorSchema.dataSource([], 20);
    participantDb = await participantSchema.dataSource([LedgerEntryEntity], 20);
    participantApp = await Test.createTestingModule({
      imports: [
        SagaModule.forRoot({
          dataSource: participantDb,
          serviceName: CREDIT_SERVICE,
          transport: kafkaOptions,
          retention: { intervalMs: 500, sentOutboxMs: 3_000 },
        }),
      ],
      providers: [CreditParticipant],
    }).compile();
    await participantApp.init();
    orchestratorApp = await bootOrchestrator([1]);
    orchestrator = orchestratorApp.get(SagaOrchestrator);
    admin = new Kafka({ brokers: env.kafkaBrokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
  });

  afterAll(async () => {
    await orchestratorApp?.close();
    await participantApp?.close();
    await admin
      ?.deleteTopics({
        topics: [CREDIT, SHIPPING, `${ORDERS}.saga-replies`].flatMap((t) => [
          t,
          deadLetterTopic(t),
        ]),
      })
      .catch(() => undefined);
    await admin?.deleteGroups([ORDERS, CREDIT_SERVICE]).catch(() => undefined);
    await admin?.disconnect();
    await Promise.all([orchestratorSchema.drop(), participantSchema.drop()]);
  });

  const terminal = (id: string, timeoutMs = 30_000) =>
    waitFor<SagaView>(
      async () => {
        const view = await orchestrator.findById(id);
        return TERMINAL_SAGA_STATES.includes(view.state) ? view : undefined;
      },
      `saga ${id} to end`,
      timeoutMs,
    );

  const ledger = async (sagaId: string) =>
    (
      await participantDb.manager.find(LedgerEntryEntity, {
        where: { sagaId },
        order: { id: 'ASC' },
      })
    ).map((e) => e.kind);

  it('runs the happy path through outbox, Kafka, inbox and replies', async () => {
    const id = await orchestrator.start(SAGA, { orderId: 'ok-1', amount: 10 });
    const view = await terminal(id);
    expect(view).toMatchObject({ state: 'COMPLETED', definitionVersion: 1, failureReason: null });
    expect(view.data).toEqual({ orderId: 'ok-1', amount: 10, reservation: 'res-ok-1' });
    expect(await ledger(id)).toEqual(['reserve', 'ship']);
    const inbox = await participantDb.manager.count(InboxMessageEntity);
    expect(inbox).toBeGreaterThanOrEqual(2);
    const traceparent = view.traceparent;
    const commands = await orchestratorDb.manager.find(OutboxMessageEntity, {
      where: { key: id },
      order: { id: 'ASC' },
    });
    expect(commands.map((c) => [c.topic, c.headers[SAGA_HEADERS.messageType]])).toEqual([
      [CREDIT, 'credit.reserve'],
      [SHIPPING, 'ship.create'],
    ]);
    expect(commands.every((c) => c.sentAt !== null)).toBe(true);
    expect(JSON.parse(commands[0]?.value ?? '{}')).toMatchObject({
      envelope: SAGA_ENVELOPE_VERSION,
      kind: 'command',
      sagaId: id,
      sagaType: SAGA,
      definitionVersion: 1,
      correlationId: id,
      causationId: null,
      traceparent,
      replyTo: `${ORDERS}.saga-replies`,
    });
  });

  it('starts a saga inside the caller transaction, sent on commit (woken by NOTIFY)', async () => {
    const id = randomUUID();
    await expect(
      orchestratorDb.transaction(async (manager) => {
        await orchestrator.start(SAGA, { orderId: 'tx-1', amount: 1 }, { manager, sagaId: id });
        throw new Error('business rollback');
      }),
    ).rejects.toThrow('business rollback');
    await expect(orchestrator.findById(id)).rejects.toThrow(`saga "${id}" not found`);
    await orchestratorDb.transaction((manager) =>
      orchestrator.start(SAGA, { orderId: 'tx-2', amount: 1 }, { manager, sagaId: id }),
    );
    expect((await terminal(id)).state).toBe('COMPLETED');
  });

  it('gives a redelivered command no second effect (inbox)', async () => {
    const id = await orchestrator.start(SAGA, { orderId: 'dup-1', amount: 2 });
    expect((await terminal(id)).state).toBe('COMPLETED');
    const [reserve] = await orchestratorDb.manager.find(OutboxMessageEntity, {
      where: { key: id },
      order: { id: 'ASC' },
    });
    const producer = new Kafka({
      brokers: env.kafkaBrokers,
      logLevel: logLevel.NOTHING,
    }).producer();
    await producer.connect();
    const [sent] = await producer.send({
      topic: CREDIT,
      messages: [{ key: id, value: reserve?.value ?? '', headers: reserve?.headers }],
    });
    await producer.disconnect();
    await waitFor(async () => {
      const [offsets] = await admin.fetchOffsets({ groupId: CREDIT_SERVICE, topics: [CREDIT] });
      const committed = offsets?.partitions.find((p) => p.partition === sent?.partition);
      return Number(committed?.offset) > Number(sent?.baseOffset) ? true : undefined;
    }, 'the duplicate to be consumed and committed');
    expect(await ledger(id)).toEqual(['reserve', 'ship']);
    expect((await orchestrator.findById(id)).state).toBe('COMPLETED');
  });

  it('publishes a row left leased by a crashed writer once its lease is over', async () => {
    const orphan = randomUUID();
    const leaseUntil = Date.now() + 1_500;
    await participantDb.manager.insert(OutboxMessageEntity, {
      topic: `${ORDERS}.saga-replies`,
      key: orphan,
      messageId: orphan,
      headers: {},
      value: JSON.stringify({ orphan }),
      createdAt: Date.now(),
      sentAt: null,
      leaseUntil,
    });
    const sent = await waitFor(
      async () =>
        (await participantDb.manager.findOneBy(OutboxMessageEntity, { messageId: orphan }))
          ?.sentAt ?? undefined,
      'the orphaned row to be published',
      15_000,
      100,
    );
    expect(sent).toBeGreaterThanOrEqual(leaseUntil);
  });

  it('compensates step 1 when step 2 fails', async () => {
    const id = await orchestrator.start(SAGA, { orderId: 'reject-1', amount: 10 });
    const view = await terminal(id);
    expect(view).toMatchObject({
      state: 'COMPENSATED',
      failureReason: 'step "ship" failed: no courier available',
    });
    // The failed ship rolled back its own insert: only the reservation and its release remain.
    expect(await ledger(id)).toEqual(['reserve', 'release']);
  });

  it('compensates a timed-out step, including the step itself', async () => {
    const id = await orchestrator.start(SAGA, { orderId: 'slow-1', amount: 10 });
    const view = await terminal(id);
    expect(view).toMatchObject({
      state: 'COMPENSATED',
      failureReason: 'step "ship" timed out after 1500 ms',
    });
    // The late ship lands before its cancel (same topic, same key), then credit is released.
    await waitFor(async () => ((await ledger(id)).length === 4 ? true : undefined), 'ledger');
    expect(await ledger(id)).toEqual(['reserve', 'ship', 'ship-cancel', 'release']);
  });

  it('moves poison messages to the dead-letter topic and keeps consuming', async () => {
    const producer = new Kafka({
      brokers: env.kafkaBrokers,
      logLevel: logLevel.NOTHING,
    }).producer();
    await producer.connect();
    const base = {
      envelope: SAGA_ENVELOPE_VERSION,
      kind: 'command',
      sagaId: randomUUID(),
      sagaType: SAGA,
      definitionVersion: 1,
      timestamp: Date.now(),
      correlationId: 'c',
      causationId: null,
      traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`,
      replyTo: `${ORDERS}.saga-replies`,
    };
    await producer.send({
      topic: CREDIT,
      messages: [
        { key: 'poison', value: '{not json' },
        {
          key: 'poison',
          value: JSON.stringify({ ...base, id: randomUUID(), type: 'credit.burn', payload: {} }),
        },
        {
          key: 'poison',
          value: JSON.stringify({
            ...base,
            id: randomUUID(),
            type: 'credit.reserve',
            payload: { amount: -1 },
          }),
        },
      ],
    });
    await producer.disconnect();
    const id = await orchestrator.start(SAGA, { orderId: 'after-poison', amount: 3 });
    expect((await terminal(id)).state).toBe('COMPLETED');

    const consumer = new Kafka({ brokers: env.kafkaBrokers, logLevel: logLevel.NOTHING }).consumer({
      groupId: `dlq-reader-${run}`,
    });
    const dead: Record<string, string>[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: deadLetterTopic(CREDIT), fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        dead.push(
          Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
        );
      },
    });
    await waitFor(() => (dead.length >= 3 ? true : undefined), '3 dead letters');
    await consumer.disconnect();
    await admin.deleteGroups([`dlq-reader-${run}`]).catch(() => undefined);
    expect(dead.map((h) => h[SAGA_HEADERS.dlqReason])).toEqual([
      'undecodable',
      'unknown-type',
      'invalid-payload',
    ]);
    for (const headers of dead) {
      expect(headers[SAGA_HEADERS.dlqOriginalTopic]).toBe(CREDIT);
      expect(Number(headers[SAGA_HEADERS.dlqOriginalPartition])).toBeGreaterThanOrEqual(0);
      expect(Number(headers[SAGA_HEADERS.dlqOriginalOffset])).toBeGreaterThanOrEqual(0);
    }
  });

  it('brings 1,000 concurrent sagas to a terminal state with one effect per step', async () => {
    const started = Date.now();
    const ids = await Promise.all(
      Array.from({ length: 1_000 }, (_, i) =>
        orchestrator.start(BULK_SAGA, { orderId: `bulk-${i}`, amount: 1 }),
      ),
    );
    await waitFor(
      async () => {
        const rows: { n: string }[] = await orchestratorDb.query(
          `SELECT COUNT(*) AS n FROM ${orchestratorSchema.name}.herd_saga_instance
           WHERE id = ANY($1) AND state IN ('COMPLETED','COMPENSATED','FAILED')`,
          [ids],
        );
        return Number(rows[0]?.n) === ids.length ? true : undefined;
      },
      '1,000 sagas to end',
      90_000,
      250,
    );
    process.stdout.write(`1,000 sagas ended in ${Date.now() - started} ms\n`);
    const states: { state: string; n: string }[] = await orchestratorDb.query(
      `SELECT state, COUNT(*) AS n FROM ${orchestratorSchema.name}.herd_saga_instance
       WHERE id = ANY($1) GROUP BY state`,
      [ids],
    );
    expect(states.map((s) => [s.state, Number(s.n)])).toEqual([['COMPLETED', 1_000]]);
    const effects: { kind: string; n: string; sagas: string }[] = await participantDb.query(
      `SELECT kind, COUNT(*) AS n, COUNT(DISTINCT saga_id) AS sagas
       FROM ${participantSchema.name}.test_ledger_entry WHERE saga_id = ANY($1) GROUP BY kind ORDER BY kind`,
      [ids],
    );
    expect(effects.map((e) => [e.kind, Number(e.n), Number(e.sagas)])).toEqual([
      ['reserve', 1_000, 1_000],
      ['ship', 1_000, 1_000],
    ]);
  }, 120_000);

  it('answers queries, exports metrics and reports healthy', async () => {
    const metric = async (series: string) => {
      const line = (await register.metrics()).split('\n').find((l) => l.startsWith(`${series} `));
      return Number(line?.split(' ')[1] ?? 0);
    };
    const compensatedTotal = `herd_saga_compensated_total{saga="${SAGA}"}`;
    const shipFailures = `herd_saga_step_duration_seconds_count{saga="${SAGA}",step="ship",outcome="failure"}`;
    // Measured as differences around this test's own sagas, whatever earlier tests left.
    const before = {
      counts: await orchestrator.countByState(SAGA),
      compensated: await metric(compensatedTotal),
      shipFailures: await metric(shipFailures),
    };
    const ok = await orchestrator.start(SAGA, { orderId: 'query-ok', amount: 1 });
    const rejected = await orchestrator.start(SAGA, { orderId: 'reject-query', amount: 1 });
    expect((await terminal(ok)).state).toBe('COMPLETED');
    expect((await terminal(rejected)).state).toBe('COMPENSATED');

    const compensated = (await orchestrator.list({ state: 'COMPENSATED', sagaType: SAGA })).map(
      (v) => v.id,
    );
    expect(compensated).toContain(rejected);
    expect(compensated).not.toContain(ok);
    const counts = await orchestrator.countByState(SAGA);
    expect(counts.COMPENSATED - before.counts.COMPENSATED).toBe(1);
    expect(counts.COMPLETED - before.counts.COMPLETED).toBe(1);
    expect((await orchestrator.countByState(BULK_SAGA)).COMPLETED).toBe(1_000);
    expect((await metric(compensatedTotal)) - before.compensated).toBe(1);
    expect((await metric(shipFailures)) - before.shipFailures).toBe(1);
    const metrics = await register.metrics();
    expect(metrics).toMatch(new RegExp(`herd_saga_started_total\\{saga="${SAGA}"\\} \\d+`));
    expect(metrics).toContain('herd_saga_outbox_lag_seconds');
    expect(orchestratorApp.get(SagaHealthIndicator).isHealthy()).toMatchObject({
      saga: { status: 'up', transportConnected: true, consuming: true, relayRunning: true },
    });
  });

  it('deletes sent outbox rows and old inbox ids on its schedule', async () => {
    // The participant runs retention every 500 ms and keeps sent rows 3 s.
    await waitFor(
      async () =>
        (await participantDb.manager.count(OutboxMessageEntity)) === 0 ? true : undefined,
      'participant outbox to be cleaned',
      20_000,
      250,
    );
    const runtime = orchestratorApp.get(SagaRuntime);
    const sent = await orchestratorDb.manager.count(OutboxMessageEntity);
    expect(sent).toBeGreaterThan(0);
    const inbox = await participantDb.manager.count(InboxMessageEntity);
    const week = 7 * 24 * 3_600_000;
    const removed = await (participantApp as TestingModule)
      .get(SagaRuntime)
      .retention.clean(Date.now() + week + 1);
    expect(removed.inbox).toBe(inbox);
    expect((await runtime.retention.clean(Date.now() + 3_600_001)).outbox).toBe(sent);
    expect(await orchestratorDb.manager.count(OutboxMessageEntity)).toBe(0);
  });

  it('finishes running instances on their version after an upgrade', async () => {
    gate = new Promise((resolve) => (openGate = resolve));
    const oldIds = await Promise.all(
      [1, 2, 3].map((i) => orchestrator.start(SAGA, { orderId: `hold-${i}`, amount: 1 })),
    );
    await waitFor(
      async () =>
        (await orchestratorDb.manager.count(OutboxMessageEntity, {
          where: { key: In(oldIds), sentAt: Not(IsNull()) },
        })) === 3
          ? true
          : undefined,
      'v1 commands published',
    );
    // Deploy: v1 keeps being registered next to v2 until its instances are gone.
    await orchestratorApp.close();
    orchestratorApp = await bootOrchestrator([1, 2]);
    orchestrator = orchestratorApp.get(SagaOrchestrator);
    const newId = await orchestrator.start(SAGA, { orderId: 'v2-1', amount: 1 });
    openGate();
    for (const id of oldIds) {
      const view = await terminal(id);
      expect(view).toMatchObject({ state: 'COMPLETED', definitionVersion: 1 });
      expect((view.data as Order).confirmed).toBeUndefined();
    }
    const upgraded = await terminal(newId);
    expect(upgraded).toMatchObject({ state: 'COMPLETED', definitionVersion: 2 });
    expect((upgraded.data as Order).confirmed).toBe(true);
  });

  it('drains on shutdown: consumer offsets committed, readiness down', async () => {
    const app = participantApp as TestingModule;
    const health = app.get(SagaHealthIndicator);
    expect(health.isHealthy().saga.status).toBe('up');
    await app.close();
    participantApp = undefined;
    expect(health.isHealthy().saga).toMatchObject({ status: 'down', consuming: false });
    for (const topic of [CREDIT, SHIPPING]) {
      const ends = await admin.fetchTopicOffsets(topic);
      const [committed] = await admin.fetchOffsets({ groupId: CREDIT_SERVICE, topics: [topic] });
      for (const end of ends) {
        const offset = committed?.partitions.find((p) => p.partition === end.partition)?.offset;
        // Every message received before the shutdown is acknowledged (-1: partition never used).
        expect(end.offset === '0' ? '-1' : end.offset).toBe(offset);
      }
    }
  });

  it('fails the boot naming the option that is wrong', async () => {
    const boot = (options: Parameters<typeof SagaModule.forRoot>[0]) =>
      Test.createTestingModule({ imports: [SagaModule.forRoot(options)] }).compile();
    await expect(
      boot({ dataSource: participantDb, serviceName: 'bad name!', transport: kafkaOptions }),
    ).rejects.toThrow(SagaOptionsError);
    await expect(
      boot({
        dataSource: participantDb,
        serviceName: 'ok',
        transport: { type: 'kafka', brokers: [] },
      }),
    ).rejects.toThrow('SagaModule option "transport.brokers" must list at least one host:port');
    const withoutSagaTables = await new DataSource({
      type: 'postgres',
      url: env.postgresUrl,
      entities: [LedgerEntryEntity],
    }).initialize();
    try {
      await expect(
        boot({ dataSource: withoutSagaTables, serviceName: 'ok', transport: kafkaOptions }),
      ).rejects.toThrow('SagaModule option "dataSource" has no metadata for SagaInstanceEntity');
    } finally {
      await withoutSagaTables.destroy();
    }
  });
});
