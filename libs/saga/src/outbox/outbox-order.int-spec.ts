import { randomBytes, randomUUID } from 'node:crypto';
import { createTestTopics, eventually, herdInfraEnv } from '@herd/testing';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { defineSaga } from '../core/saga-definition.builder';
import type { SagaEnvelope } from '../core/saga-envelope';
import { TERMINAL_SAGA_STATES } from '../core/saga-state';
import { SagaRuntime } from '../saga-runtime';
import { SAGA_HEADERS } from '../saga.constants';
import { InterceptedTransport } from '../testing/intercepted-transport';
import { LedgerEntryEntity } from '../testing/ledger-entry.entity';
import { PgTestSchema } from '../testing/pg-test-schema';
import { testCommandEnvelope } from '../testing/test-envelope';
import { KafkaSagaTransport } from '../transport/kafka/kafka-saga.transport';
import { deadLetterTopic } from '../transport/saga-transport';
import { Outbox } from './outbox';

/** Per saga, a later outbox row never leaves before an earlier one, whatever delays the earlier. */
describe('outbox order per saga (real Kafka and PostgreSQL)', () => {
  const env = herdInfraEnv();
  const run = randomBytes(4).toString('hex');
  const channel = `herd-saga-order.${run}`;
  const relayTopic = `herd-saga-order-relay.${run}`;
  const orchestratorSchema = new PgTestSchema(env.postgresUrl);
  const participantSchema = new PgTestSchema(env.postgresUrl);
  const kafka = (clientId: string) =>
    new KafkaSagaTransport({ brokers: env.kafkaBrokers, clientId, numPartitions: 3 });
  const runtimes: SagaRuntime[] = [];
  let orchestratorDb: DataSource;
  let participantDb: DataSource;
  let admin: Admin;

  beforeAll(async () => {
    await Promise.all([orchestratorSchema.create(), participantSchema.create()]);
    await orchestratorSchema.synchronize();
    await participantSchema.synchronize([LedgerEntryEntity]);
    orchestratorDb = await orchestratorSchema.dataSource([], 10);
    participantDb = await participantSchema.dataSource([LedgerEntryEntity], 10);
    admin = new Kafka({ brokers: env.kafkaBrokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
  });

  /** Opens whatever a test holds, so a failed test does not leave a relay stuck in a publish. */
  let release: () => void = () => undefined;

  afterEach(async () => {
    release();
    await Promise.all(runtimes.splice(0).map((r) => r.close()));
  });

  afterAll(async () => {
    const topics = [channel, relayTopic, `${relayTopic}.backlog`, `order-${run}.saga-replies`];
    await admin
      .deleteTopics({ topics: [...topics, ...topics.map(deadLetterTopic)] })
      .catch(() => undefined);
    await admin.deleteGroups([`order-${run}`, `apply-${run}`]).catch(() => undefined);
    await admin.disconnect();
    await Promise.all([orchestratorSchema.drop(), participantSchema.drop()]);
  });

  it('sends a timed-out step’s compensation only after its command, even when the command’s publish keeps failing', async () => {
    const saga = defineSaga<{ n: number }>(`order-${run}`, 1)
      .remote('apply', {
        channel,
        command: 'order.apply',
        payload: (d) => d,
        // The compensation's own timeouts resend it while it waits behind the command.
        compensate: {
          command: 'order.undo',
          payload: (d) => d,
          retry: { maxAttempts: 20 },
        },
        timeoutMs: 1_000,
      })
      .build();
    const transport = new InterceptedTransport(kafka(`order-${run}`));
    // The broker takes no copy of the command for 2.5 times the step's timeout.
    let brokenUntil = Infinity;
    transport.beforePublish = (messages) => {
      const command = messages.some((m) => m.headers[SAGA_HEADERS.messageType] === 'order.apply');
      if (command && Date.now() < brokenUntil) {
        throw new Error('injected: broker did not acknowledge');
      }
    };
    const orchestrator = new SagaRuntime({
      dataSource: orchestratorDb,
      serviceName: `order-${run}`,
      transport,
      definitions: [saga],
      timeoutCheckIntervalMs: 100,
      relay: { pollIntervalMs: 200, leaseMs: 3_000, errorBackoffMs: 500 },
    });
    const participant = new SagaRuntime({
      dataSource: participantDb,
      serviceName: `apply-${run}`,
      transport: kafka(`apply-${run}`),
      relay: { pollIntervalMs: 200 },
    });
    for (const kind of ['apply', 'undo']) {
      participant.registerHandler({
        command: `order.${kind}`,
        channel,
        handle: async (_p, { manager, envelope }) => {
          await manager.insert(LedgerEntryEntity, { sagaId: envelope.sagaId, kind });
        },
      });
    }
    runtimes.push(orchestrator, participant);
    await participant.start();
    await orchestrator.start();

    brokenUntil = Date.now() + 2_500;
    const id = await orchestrator.orchestrator.start(saga.name, { n: 1 });
    const view = await eventually('the saga to end', async () => {
      const v = await orchestrator.orchestrator.findById(id);
      return TERMINAL_SAGA_STATES.includes(v.state) ? v : undefined;
    });
    expect(view).toMatchObject({
      state: 'COMPENSATED',
      failureReason: 'step "apply" timed out after 1000 ms',
    });
    const kinds = await eventually('both commands to be applied', async () => {
      const rows = await participantDb.manager.find(LedgerEntryEntity, {
        where: { sagaId: id },
        order: { id: 'ASC' },
      });
      return rows.length === 2 ? rows.map((r) => r.kind) : undefined;
    });
    // Applied in this order, the compensation undoes the effect: nothing is left in place.
    expect(kinds).toEqual(['apply', 'undo']);
  }, 60_000);

  it('lets a second relay take no row of a saga whose earlier row is still being published, and publishes each row once', async () => {
    const outbox = new Outbox(orchestratorDb);
    const write = (envelopes: SagaEnvelope[]) =>
      orchestratorDb.transaction((manager) =>
        outbox.write(
          manager,
          envelopes.map((e) => ({ topic: relayTopic, envelope: e })),
        ),
      );
    const slow = randomUUID();
    const other = randomUUID();
    // 8 rows of one saga; relays claim up to 4 rows at a time.
    const slowRows = Array.from({ length: 8 }, () => relayEnvelope(slow));
    const otherRows = Array.from({ length: 4 }, () => relayEnvelope(other));
    await write(slowRows);
    const firstRow = slowRows[0]?.id;
    let holding = false;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const relays = ['a', 'b'].map((name) => {
      const transport = new InterceptedTransport(kafka(`relay-${name}-${run}`));
      transport.beforePublish = async (messages) => {
        if (messages.some((m) => m.headers[SAGA_HEADERS.messageId] === firstRow)) {
          holding = true;
          await gate;
        }
      };
      const runtime = new SagaRuntime({
        dataSource: orchestratorDb,
        serviceName: `relay-${name}-${run}`,
        transport,
        relay: { pollIntervalMs: 100, batchSize: 4 },
      });
      runtimes.push(runtime);
      return { runtime, transport };
    });
    await createTestTopics(admin, [{ topic: relayTopic, numPartitions: 3 }]);
    await Promise.all(relays.map((r) => r.runtime.start()));
    // One relay now holds the saga's first row in a publish that does not return.
    await eventually('a relay to hold the first row', async () => (holding ? true : undefined));
    await write(otherRows);
    const otherIds = otherRows.map((e) => e.id);
    // The other relay goes on with the other saga meanwhile, but takes no row behind the held one.
    await eventually('the other saga’s rows to be published', async () =>
      otherIds.every((id) => relays.some((r) => r.transport.published.includes(id)))
        ? true
        : undefined,
    );
    release();
    const order = [...slowRows, ...otherRows];
    await eventually('every row to be published', async () =>
      relays.flatMap((r) => r.transport.published).length >= order.length ? true : undefined,
    );

    // Each row went out exactly once, counted at the producer (not through the inbox).
    const published = relays.flatMap((r) => r.transport.published);
    expect(published.sort()).toEqual(order.map((e) => e.id).sort());
    const received = await readTopic(relayTopic, order.length);
    for (const sagaId of [slow, other]) {
      expect(received.filter((m) => m.key === sagaId).map((m) => m.id)).toEqual(
        order.filter((e) => e.sagaId === sagaId).map((e) => e.id),
      );
    }
  }, 60_000);

  it('keeps each saga’s order and publishes each row once while a backlog runs two claim cycles at once', async () => {
    const outbox = new Outbox(orchestratorDb);
    const topic = `${relayTopic}.backlog`;
    const sagas = Array.from({ length: 20 }, () => randomUUID());
    // Five rows per saga, written round-robin so every batch holds rows of many sagas.
    const rows = Array.from({ length: 5 }, () =>
      sagas.map((sagaId) => relayEnvelope(sagaId)),
    ).flat();
    await orchestratorDb.transaction((manager) =>
      outbox.write(
        manager,
        rows.map((envelope) => ({ topic, envelope })),
      ),
    );
    let inFlight = 0;
    let mostInFlight = 0;
    const transport = new InterceptedTransport(kafka(`relay-backlog-${run}`));
    transport.beforePublish = async () => {
      inFlight += 1;
      mostInFlight = Math.max(mostInFlight, inFlight);
      // Long enough for the other cycle's claim to run meanwhile.
      await new Promise((resolve) => setTimeout(resolve, 30));
      inFlight -= 1;
    };
    const runtime = new SagaRuntime({
      dataSource: orchestratorDb,
      serviceName: `relay-backlog-${run}`,
      transport,
      relay: { pollIntervalMs: 100, batchSize: 4 },
    });
    runtimes.push(runtime);
    await createTestTopics(admin, [{ topic, numPartitions: 3 }]);
    await runtime.start();
    await eventually('every row to be published', async () =>
      transport.published.length >= rows.length ? true : undefined,
    );

    expect(mostInFlight).toBe(2);
    expect([...transport.published].sort()).toEqual(rows.map((e) => e.id).sort());
    const received = await readTopic(topic, rows.length);
    for (const sagaId of sagas) {
      expect(received.filter((m) => m.key === sagaId).map((m) => m.id)).toEqual(
        rows.filter((e) => e.sagaId === sagaId).map((e) => e.id),
      );
    }
  }, 60_000);

  function relayEnvelope(sagaId: string): SagaEnvelope {
    return testCommandEnvelope(sagaId, { type: 'order.apply', sagaType: 'relay-order' });
  }

  async function readTopic(topic: string, count: number): Promise<{ key: string; id: string }[]> {
    const consumer = new Kafka({ brokers: env.kafkaBrokers, logLevel: logLevel.NOTHING }).consumer({
      groupId: `order-reader-${topic}`,
    });
    const received: { key: string; id: string }[] = [];
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          received.push({
            key: String(message.key),
            id: String(message.headers?.[SAGA_HEADERS.messageId]),
          });
        },
      });
      await eventually(`${count} messages on ${topic}`, async () =>
        received.length >= count ? true : undefined,
      );
    } finally {
      await consumer.disconnect();
      await admin.deleteGroups([`order-reader-${topic}`]).catch(() => undefined);
    }
    return received;
  }
});
