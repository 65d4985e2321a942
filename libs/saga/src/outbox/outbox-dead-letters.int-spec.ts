import { randomBytes, randomUUID } from 'node:crypto';
import { ConsoleLogger, Logger } from '@nestjs/common';
import { createTestTopics, eventually, herdInfraEnv } from '@herd/testing';
import { ConfigResourceTypes, Kafka, logLevel, type Admin } from 'kafkajs';
import { register } from 'prom-client';
import type { DataSource } from 'typeorm';
import type { SagaEnvelope } from '../core/saga-envelope';
import { SagaOptionsError } from '../errors/saga-options.error';
import { SagaRuntime } from '../saga-runtime';
import { SAGA_HEADERS } from '../saga.constants';
import { PgTestSchema } from '../testing/pg-test-schema';
import { testCommandEnvelope } from '../testing/test-envelope';
import { KafkaSagaTransport } from '../transport/kafka/kafka-saga.transport';
import { Outbox } from './outbox';
import { OutboxMessageEntity } from './outbox-message.entity';

/** A row the broker refuses is set aside; the rows around it go on (real Kafka and PostgreSQL). */
describe('outbox rows the broker refuses', () => {
  const env = herdInfraEnv();
  const run = randomBytes(4).toString('hex');
  const strict = `herd-saga-strict.${run}`;
  const open = `herd-saga-open.${run}`;
  const schema = new PgTestSchema(env.postgresUrl);
  let db: DataSource;
  let admin: Admin;
  let runtime: SagaRuntime | undefined;

  beforeAll(async () => {
    // The broker's refusals are what this suite provokes: keep kafkajs' error lines out of the output.
    Logger.overrideLogger(false);
    await schema.create();
    await schema.synchronize();
    db = await schema.dataSource([], 5);
    admin = new Kafka({ brokers: env.kafkaBrokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    // This topic takes messages of at most 1 kB: a bigger one is refused, like any broker limit.
    await createTestTopics(admin, [
      { topic: strict, configEntries: [{ name: 'max.message.bytes', value: '1024' }] },
      { topic: open },
    ]);
  });

  afterAll(async () => {
    await runtime?.close();
    await admin.deleteTopics({ topics: [strict, open] }).catch(() => undefined);
    await admin.disconnect();
    await schema.drop();
    Logger.overrideLogger(new ConsoleLogger());
  });

  const envelope = (sagaId: string, size = 10): SagaEnvelope =>
    testCommandEnvelope(sagaId, { sagaType: 'refused', payload: 'x'.repeat(size) });

  it('parks a refused row after its attempts, publishes the others, and replays it once fixed', async () => {
    const outbox = new Outbox(db);
    const big = randomUUID();
    const bigRows = [envelope(big, 4_000), envelope(big)];
    const others = [envelope(randomUUID()), envelope(randomUUID())];
    // One batch: the refused row first, then rows of other sagas, then the next row of its saga.
    await db.transaction((manager) =>
      outbox.write(manager, [
        { topic: strict, envelope: bigRows[0] as SagaEnvelope },
        ...others.map((e) => ({ topic: open, envelope: e })),
        { topic: strict, envelope: bigRows[1] as SagaEnvelope },
      ]),
    );
    const parkedBefore = await metric(strict);
    runtime = new SagaRuntime({
      dataSource: db,
      serviceName: `refused-${run}`,
      transport: new KafkaSagaTransport({ brokers: env.kafkaBrokers, clientId: run }),
      relay: { pollIntervalMs: 100, errorBackoffMs: 100, maxAttempts: 3 },
    });
    await runtime.start();

    const sent = (id: string) =>
      db.manager
        .findOneBy(OutboxMessageEntity, { messageId: id })
        .then((row) => (row?.sentAt ? true : undefined));
    // The other sagas' rows are not held back by the refused one.
    for (const e of others) await eventually(`row ${e.id} to be published`, () => sent(e.id));
    const [parked] = await eventually('the refused row to be parked', async () => {
      const list = await runtime?.deadLetters.list();
      return list && list.length > 0 ? list : undefined;
    });
    expect(parked).toMatchObject({
      topic: strict,
      key: big,
      messageId: bigRows[0]?.id,
      attempts: 3,
      reason: expect.stringContaining('MESSAGE_TOO_LARGE'),
    });
    expect((await metric(strict)) - parkedBefore).toBe(1);
    // Parked, it no longer holds its saga: the row behind it leaves.
    await eventually('the next row of its saga to be published', () =>
      sent(bigRows[1]?.id as string),
    );

    // The operator fixes the cause and replays: the message goes out with its id and headers.
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: strict,
          configEntries: [{ name: 'max.message.bytes', value: '1048588' }],
        },
      ],
    });
    await runtime.deadLetters.replay(parked?.id as string);
    expect(await runtime.deadLetters.list()).toEqual([]);
    const replayed = await eventually('the replayed row to be published', async () => {
      const rows = await db.manager.findBy(OutboxMessageEntity, { messageId: bigRows[0]?.id });
      return rows.length === 1 && rows[0]?.sentAt ? rows[0] : undefined;
    });
    expect(replayed.headers[SAGA_HEADERS.messageId]).toBe(bigRows[0]?.id);
    await expect(runtime.deadLetters.drop(parked?.id as string)).rejects.toThrow(
      `dead letter "${parked?.id}" not found`,
    );
  }, 90_000);

  it('fails the start naming the missing topics when it may not create them', async () => {
    const missing = `herd-saga-missing.${run}`;
    const transport = new KafkaSagaTransport({
      brokers: env.kafkaBrokers,
      clientId: run,
      createTopics: false,
    });
    const error = await transport.connect([open, missing]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SagaOptionsError);
    expect((error as Error).message).toBe(
      `SagaModule option "transport.createTopics" is false, but these topics do not exist: ${missing}`,
    );
    await transport.close();
  });

  async function metric(topic: string): Promise<number> {
    const series = `herd_saga_outbox_dead_lettered_total{topic="${topic}"}`;
    const line = (await register.metrics()).split('\n').find((l) => l.startsWith(`${series} `));
    return Number(line?.split(' ')[1] ?? 0);
  }
});
