import { randomBytes } from 'node:crypto';
import { eventually, herdInfraEnv } from '@herd/testing';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { defineSaga } from '../core/saga-definition.builder';
import { TERMINAL_SAGA_STATES } from '../core/saga-state';
import { SagaNotFoundError } from '../errors/saga-not-found.error';
import { SagaStateError } from '../errors/saga-state.error';
import type { SagaDetailView } from '../interfaces/saga-view.interface';
import { SagaRuntime } from '../saga-runtime';
import { SAGA_HEADERS } from '../saga.constants';
import { InterceptedTransport } from '../testing/intercepted-transport';
import { LedgerEntryEntity } from '../testing/ledger-entry.entity';
import { PgTestSchema } from '../testing/pg-test-schema';
import { KafkaSagaTransport } from '../transport/kafka/kafka-saga.transport';
import { deadLetterTopic } from '../transport/saga-transport';

/** Operators cancel a running saga, resume a stuck one, and read what each step did and when. */
describe('saga operator actions and step history (real Kafka and PostgreSQL)', () => {
  const env = herdInfraEnv();
  const run = randomBytes(4).toString('hex');
  const channel = `herd-saga-operator.${run}`;
  const orchestratorName = `operator-${run}`;
  const participantName = `warehouse-${run}`;
  const orchestratorSchema = new PgTestSchema(env.postgresUrl);
  const participantSchema = new PgTestSchema(env.postgresUrl);
  const kafka = (clientId: string) =>
    new KafkaSagaTransport({ brokers: env.kafkaBrokers, clientId, numPartitions: 3 });
  // Timeouts far beyond the test: a saga that waits here is stuck until an operator acts.
  const saga = defineSaga<{ n: number }>(orchestratorName, 1)
    .remote('reserve', {
      channel,
      command: 'stock.reserve',
      payload: (d) => d,
      compensate: { command: 'stock.release', payload: (d) => d },
      timeoutMs: 600_000,
    })
    .remote('ship', {
      channel,
      command: 'stock.ship',
      payload: (d) => d,
      compensate: { command: 'stock.unship', payload: (d) => d },
      timeoutMs: 600_000,
    })
    .build();
  let orchestratorDb: DataSource;
  let participantDb: DataSource;
  let admin: Admin;
  let transport: InterceptedTransport;
  let orchestrator: SagaRuntime;
  let participant: SagaRuntime;
  /** The ship handler waits for this while set (a slow warehouse). */
  let shipGate: Promise<void> | undefined;
  let openShipGate: () => void = () => undefined;

  beforeAll(async () => {
    await Promise.all([orchestratorSchema.create(), participantSchema.create()]);
    await orchestratorSchema.synchronize();
    await participantSchema.synchronize([LedgerEntryEntity]);
    orchestratorDb = await orchestratorSchema.dataSource([], 5);
    participantDb = await participantSchema.dataSource([LedgerEntryEntity], 5);
    admin = new Kafka({ brokers: env.kafkaBrokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    transport = new InterceptedTransport(kafka(orchestratorName));
    orchestrator = new SagaRuntime({
      dataSource: orchestratorDb,
      serviceName: orchestratorName,
      transport,
      definitions: [saga],
      timeoutCheckIntervalMs: 100,
      relay: { pollIntervalMs: 100 },
    });
    participant = new SagaRuntime({
      dataSource: participantDb,
      serviceName: participantName,
      transport: kafka(participantName),
      relay: { pollIntervalMs: 100 },
    });
    for (const kind of ['reserve', 'release', 'ship', 'unship']) {
      participant.registerHandler({
        command: `stock.${kind}`,
        channel,
        handle: async (_p, { manager, envelope }) => {
          if (kind === 'ship') await shipGate;
          await manager.insert(LedgerEntryEntity, { sagaId: envelope.sagaId, kind });
        },
      });
    }
    await participant.start();
    await orchestrator.start();
  }, 120_000);

  afterAll(async () => {
    openShipGate();
    await Promise.all([orchestrator?.close(), participant?.close()]);
    const topics = [channel, `${orchestratorName}.saga-replies`];
    await admin
      .deleteTopics({ topics: [...topics, ...topics.map(deadLetterTopic)] })
      .catch(() => undefined);
    await admin.deleteGroups([orchestratorName, participantName]).catch(() => undefined);
    await admin.disconnect();
    await Promise.all([orchestratorSchema.drop(), participantSchema.drop()]);
  });

  const ledger = async (sagaId: string) =>
    (
      await participantDb.manager.find(LedgerEntryEntity, {
        where: { sagaId },
        order: { id: 'ASC' },
      })
    ).map((row) => row.kind);

  const ended = (sagaId: string) =>
    eventually(`saga ${sagaId} to end`, async () => {
      const view = await orchestrator.orchestrator.findById(sagaId);
      return TERMINAL_SAGA_STATES.includes(view.state) ? view : undefined;
    });

  /** The saga once its history shows `step`'s command sent and the saga waiting for the reply. */
  const awaiting = (sagaId: string, step: string) =>
    eventually(`saga ${sagaId} to wait for step ${step}`, async () => {
      const view = await orchestrator.orchestrator.findById(sagaId);
      const sent = view.history.some((e) => e.type === 'command-sent' && e.step === step);
      return sent && view.currentStep === step ? view : undefined;
    });

  const shape = (view: SagaDetailView) =>
    view.history.map((e) => [e.type, e.step, e.outcome ?? null].filter((x) => x !== null));

  it('resumes a saga whose command was lost: the command goes again with its id and the saga completes', async () => {
    let lostShip: string | undefined;
    transport.lose = (m) => {
      if (lostShip || m.headers[SAGA_HEADERS.messageType] !== 'stock.ship') return false;
      lostShip = m.headers[SAGA_HEADERS.messageId];
      return true;
    };
    const id = await orchestrator.orchestrator.start(saga.name, { n: 1 });
    await awaiting(id, 'ship');
    await eventually('the ship command to be lost', async () => lostShip);
    // Nothing will answer: a ship that never arrived, and a timeout ten minutes away.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(await orchestrator.orchestrator.findById(id)).toMatchObject({
      state: 'RUNNING',
      currentStep: 'ship',
    });
    expect(await ledger(id)).toEqual(['reserve']);

    await orchestrator.orchestrator.resume(id);

    const view = await ended(id);
    expect(view).toMatchObject({ state: 'COMPLETED', failureReason: null });
    expect(await ledger(id)).toEqual(['reserve', 'ship']);
    expect(shape(view)).toEqual([
      ['command-sent', 'reserve'],
      ['reply-received', 'reserve', 'success'],
      ['command-sent', 'ship'],
      ['resumed', 'ship'],
      ['command-sent', 'ship'],
      ['reply-received', 'ship', 'success'],
      ['completed'],
    ]);
    // The resend is the lost command itself (same id): a participant that had it drops the copy.
    const ships = view.history.filter((e) => e.type === 'command-sent' && e.step === 'ship');
    expect(ships.map((e) => e.messageId)).toEqual([lostShip, lostShip]);
    expect(ships.map((e) => e.command)).toEqual(['stock.ship', 'stock.ship']);
    const times = view.history.map((e) => e.at.getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(times[0]).toBeGreaterThanOrEqual(view.createdAt.getTime());

    // Only RUNNING (resume: or COMPENSATING) sagas take operator actions.
    await expect(orchestrator.orchestrator.resume(id)).rejects.toBeInstanceOf(SagaStateError);
    await expect(orchestrator.orchestrator.cancel(id)).rejects.toBeInstanceOf(SagaStateError);
    await expect(orchestrator.orchestrator.cancel('no-such-saga')).rejects.toBeInstanceOf(
      SagaNotFoundError,
    );
  }, 90_000);

  it('cancels a running saga: the awaited step and the earlier ones are compensated, in order, and the late reply is ignored', async () => {
    transport.lose = () => false;
    shipGate = new Promise<void>((resolve) => (openShipGate = resolve));
    const id = await orchestrator.orchestrator.start(saga.name, { n: 2 });
    await awaiting(id, 'ship');

    await orchestrator.orchestrator.cancel(id, 'customer withdrew the order');
    // The warehouse finishes the ship only now: its compensation, queued behind it, undoes it.
    openShipGate();

    const view = await ended(id);
    expect(view).toMatchObject({
      state: 'COMPENSATED',
      failureReason: 'cancelled: customer withdrew the order',
    });
    expect(await ledger(id)).toEqual(['reserve', 'ship', 'unship', 'release']);
    expect(shape(view)).toEqual([
      ['command-sent', 'reserve'],
      ['reply-received', 'reserve', 'success'],
      ['command-sent', 'ship'],
      ['cancelled', 'ship'],
      ['compensation-sent', 'ship'],
      ['reply-received', 'ship', 'success'],
      ['compensation-sent', 'reserve'],
      ['reply-received', 'reserve', 'success'],
      ['compensated'],
    ]);
    expect(view.history.find((e) => e.type === 'cancelled')?.detail).toBe(
      'customer withdrew the order',
    );
    expect(view.history.find((e) => e.type === 'compensated')?.detail).toBe(
      'cancelled: customer withdrew the order',
    );
    const listed = await orchestrator.orchestrator.list({ state: 'COMPENSATED' });
    expect(listed.find((s) => s.id === id)).toMatchObject({
      failureReason: 'cancelled: customer withdrew the order',
    });
  }, 90_000);
});
