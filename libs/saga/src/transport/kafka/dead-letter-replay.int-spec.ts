import { randomBytes } from 'node:crypto';
import { ConsoleLogger, Logger } from '@nestjs/common';
import { createTestTopics, eventually, herdInfraEnv } from '@herd/testing';
import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { defineSaga } from '../../core/saga-definition.builder';
import { SagaDeadLetterNotFoundError } from '../../errors/saga-dead-letter-not-found.error';
import { SagaInstanceEntity } from '../../orchestrator/saga-instance.entity';
import { SagaRuntime } from '../../saga-runtime';
import { SAGA_HEADERS } from '../../saga.constants';
import { LedgerEntryEntity } from '../../testing/ledger-entry.entity';
import { PgTestSchema } from '../../testing/pg-test-schema';
import type { DeadLetteredMessage } from '../saga-dead-letter-topics';
import { deadLetterTopic } from '../saga-transport';

/**
 * Poison messages in `<topic>.dlq` come back through `SagaDeadLetterTopics` once their cause is
 * fixed (real Kafka and PostgreSQL): the consumer went on past them, and a replay applies once.
 */
describe('replaying the Kafka dead-letter topics', () => {
  const env = herdInfraEnv();
  const run = randomBytes(4).toString('hex');
  const channel = `herd-saga-dlq.${run}`;
  const participantName = `dlq-credit-${run}`;
  const schema = new PgTestSchema(env.postgresUrl);
  const runtimes: SagaRuntime[] = [];
  let db: DataSource;
  let admin: Admin;
  let producer: Producer;

  const saga = (type: string, version: number) =>
    defineSaga<{ n: number }>(type, version)
      .remote('apply', {
        channel,
        command: 'dlq.apply',
        payload: (d) => d,
        compensate: { command: 'dlq.undo', payload: (d) => d },
        timeoutMs: 120_000,
      })
      .remote('settle', { channel, command: 'dlq.settle', payload: (d) => d, timeoutMs: 120_000 })
      .build();

  const transport = () => ({
    type: 'kafka' as const,
    brokers: env.kafkaBrokers,
    clientId: `dlq-${run}`,
    numPartitions: 1,
  });

  const runtime = (serviceName: string, extra: { definitions?: ReturnType<typeof saga>[] }) => {
    const r = new SagaRuntime({
      dataSource: db,
      serviceName,
      transport: transport(),
      relay: { pollIntervalMs: 100 },
      ...extra,
    });
    runtimes.push(r);
    return r;
  };

  /** The participant; `settle` is a command it may not know yet (deployed after the orchestrator). */
  const participant = (kinds: string[]) => {
    const r = runtime(participantName, {});
    for (const kind of kinds) {
      r.registerHandler({
        command: `dlq.${kind}`,
        channel,
        handle: async (_p, { manager, envelope }) => {
          await manager.insert(LedgerEntryEntity, { sagaId: envelope.sagaId, kind });
        },
      });
    }
    return r;
  };

  const effects = async (sagaId: string) => {
    const rows = await db.manager.findBy(LedgerEntryEntity, { sagaId });
    return rows.map((r) => r.kind).sort();
  };
  const stateOf = async (id: string) =>
    (await db.manager.findOneByOrFail(SagaInstanceEntity, { id })).state;
  const reached = (id: string, state: string) =>
    eventually(`saga ${id} to be ${state}`, async () =>
      (await stateOf(id)) === state ? true : undefined,
    );
  const listed = (r: SagaRuntime, count: number) =>
    eventually(`${count} dead letters`, async () => {
      const list = await r.deadLetterTopics.list();
      return list.length >= count ? list : undefined;
    });

  beforeAll(async () => {
    // Poison is what this suite sends: keep the dead-lettering warnings out of the output.
    Logger.overrideLogger(false);
    await schema.create();
    await schema.synchronize([LedgerEntryEntity]);
    db = await schema.dataSource([LedgerEntryEntity], 10);
    const kafka = new Kafka({ brokers: env.kafkaBrokers, logLevel: logLevel.NOTHING });
    admin = kafka.admin();
    await admin.connect();
    // One partition: the poison and the commands after it share it, so "went on" means "past it".
    await createTestTopics(admin, [{ topic: channel, numPartitions: 1 }]);
    producer = kafka.producer();
    await producer.connect();
  });

  afterAll(async () => {
    for (const r of runtimes) await r.close();
    await producer.disconnect();
    const topics = [channel, `dlq-orders-${run}.saga-replies`, `dlq-versions-${run}.saga-replies`];
    await admin
      .deleteTopics({ topics: [...topics, ...topics.map(deadLetterTopic)] })
      .catch(() => undefined);
    await admin
      .deleteGroups([participantName, `dlq-orders-${run}`, `dlq-versions-${run}`])
      .catch(() => undefined);
    await admin.disconnect();
    await schema.drop();
    Logger.overrideLogger(new ConsoleLogger());
  });

  it('goes on past poison, lists it with its reason, and applies a replayed command once', async () => {
    const first = participant(['apply']);
    await first.start();
    const orders = runtime(`dlq-orders-${run}`, { definitions: [saga(`dlq-${run}`, 1)] });
    await orders.start();
    await producer.send({ topic: channel, messages: [{ key: 'x', value: 'not json {' }] });
    const id = await orders.orchestrator.start(`dlq-${run}`, { n: 1 });

    // The garbage and the command no handler knows yet are set aside; `apply`, behind the garbage
    // on the same partition, was handled.
    const [garbage, unknown] = (await listed(first, 2)) as [
      DeadLetteredMessage,
      DeadLetteredMessage,
    ];
    expect(garbage).toMatchObject({
      topic: deadLetterTopic(channel),
      originalTopic: channel,
      originalPartition: 0,
      originalOffset: '0',
      reason: 'undecodable',
      messageId: null,
    });
    expect(unknown).toMatchObject({
      reason: 'unknown-type',
      detail: 'no handler for command "dlq.settle"',
      messageType: 'dlq.settle',
      sagaId: id,
      originalTopic: channel,
    });
    expect(unknown.deadLetteredAt).toBeInstanceOf(Date);
    expect(await effects(id)).toEqual(['apply']);
    expect(await stateOf(id)).toBe('RUNNING');

    // The handler is deployed; the operator replays the command: the saga completes.
    await first.close();
    const second = participant(['apply', 'settle', 'undo']);
    await second.start();
    await expect(second.deadLetterTopics.replay(unknown.ref)).resolves.toMatchObject({
      messageId: unknown.messageId,
    });
    await reached(id, 'COMPLETED');
    expect(await effects(id)).toEqual(['apply', 'settle']);

    // Replayed twice by mistake: the inbox skips the copy. A saga started after it, on the same
    // partition, completing means the copy was handled before.
    await second.deadLetterTopics.replay(unknown.ref);
    const next = await orders.orchestrator.start(`dlq-${run}`, { n: 2 });
    await reached(next, 'COMPLETED');
    expect(await effects(id)).toEqual(['apply', 'settle']);

    // A replay passes the poison checks again: the garbage is dead-lettered anew, marked.
    await second.deadLetterTopics.replay(garbage.ref);
    const again = (await listed(second, 3))[2];
    expect(again).toMatchObject({ reason: 'undecodable', originalTopic: channel });
    const [stored] = await second.transport.read(deadLetterTopic(channel), {
      limit: 1,
      from: { partition: again?.partition ?? 0, offset: again?.offset ?? '0' },
    });
    expect(stored?.headers[SAGA_HEADERS.dlqReplayedFrom]).toBe(garbage.ref);

    await expect(second.deadLetterTopics.replay(`${channel}/0/0`)).rejects.toBeInstanceOf(
      SagaDeadLetterNotFoundError,
    );
    await expect(
      second.deadLetterTopics.replay(`${deadLetterTopic(channel)}/0/99`),
    ).rejects.toThrow(`dead letter "${deadLetterTopic(channel)}/0/99" not found`);
  }, 120_000);

  it('brings back a reply for a version registered later, so a succeeded step is not compensated', async () => {
    const type = `dlq-v-${run}`;
    const serviceName = `dlq-versions-${run}`;
    const helper = participant(['apply', 'settle', 'undo']);
    await helper.start();
    // An upgraded instance starts a version-2 saga; its row waits in the outbox until a relay runs.
    const upgraded = runtime(serviceName, { definitions: [saga(type, 1), saga(type, 2)] });
    const id = await db.transaction((manager) =>
      upgraded.orchestrator.start(type, { n: 3 }, { manager }),
    );
    // An instance not yet upgraded sends it and receives the reply it cannot handle.
    const old = runtime(serviceName, { definitions: [saga(type, 1)] });
    await old.start();
    const [reply] = await eventually('the reply to be dead-lettered', async () => {
      const list = await old.deadLetterTopics.list({ topic: `${serviceName}.saga-replies.dlq` });
      return list.length > 0 ? list : undefined;
    });
    expect(reply).toMatchObject({ reason: 'unknown-definition-version', sagaId: id });
    await old.close();

    // Once every instance runs version 2, the reply is replayed and the saga goes on.
    const next = runtime(serviceName, { definitions: [saga(type, 1), saga(type, 2)] });
    await next.start();
    await next.deadLetterTopics.replay(reply?.ref as string);
    await reached(id, 'COMPLETED');
    expect(await effects(id)).toEqual(['apply', 'settle']);
    await expect(next.deadLetterTopics.list({ topic: 'elsewhere' })).rejects.toThrow(
      '"elsewhere" is not a dead-letter topic of this service',
    );
  }, 120_000);
});
