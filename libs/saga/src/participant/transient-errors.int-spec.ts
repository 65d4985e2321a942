import { randomBytes } from 'node:crypto';
import { eventually, herdInfraEnv } from '@herd/testing';
import { Kafka, logLevel } from 'kafkajs';
import type { DataSource, EntityManager } from 'typeorm';
import { defineSaga } from '../core/saga-definition.builder';
import { TERMINAL_SAGA_STATES } from '../core/saga-state';
import type { SagaView } from '../interfaces/saga-view.interface';
import { SagaRuntime } from '../saga-runtime';
import { PgTestSchema } from '../testing/pg-test-schema';
import { KafkaSagaTransport } from '../transport/kafka/kafka-saga.transport';
import { deadLetterTopic } from '../transport/saga-transport';

/** A deadlock is not a business failure: the handler is run again in the process. */
describe('transient handler errors (real PostgreSQL deadlock, real Kafka)', () => {
  const env = herdInfraEnv();
  const run = randomBytes(4).toString('hex');
  const names = {
    orchestrator: `deadlock-orders-${run}`,
    participant: `deadlock-accounts-${run}`,
    channels: [`herd-saga-deadlock-ab.${run}`, `herd-saga-deadlock-ba.${run}`],
  };
  const orchestratorSchema = new PgTestSchema(env.postgresUrl);
  const participantSchema = new PgTestSchema(env.postgresUrl);
  const runtimes: SagaRuntime[] = [];
  let participantDb: DataSource;

  afterAll(async () => {
    await Promise.all(runtimes.map((r) => r.close()));
    const admin = new Kafka({ brokers: env.kafkaBrokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const topics = [...names.channels, `${names.orchestrator}.saga-replies`];
    await admin
      .deleteTopics({ topics: [...topics, ...topics.map(deadLetterTopic)] })
      .catch(() => undefined);
    await admin
      .deleteGroups([names.orchestrator, `${names.participant}-ab`, `${names.participant}-ba`])
      .catch(() => undefined);
    await admin.disconnect();
    await Promise.all([orchestratorSchema.drop(), participantSchema.drop()]);
  });

  it('completes both sagas when their handlers deadlock, without a failure reply or a rebalance', async () => {
    await Promise.all([orchestratorSchema.create(), participantSchema.create()]);
    await orchestratorSchema.synchronize();
    await participantSchema.synchronize();
    const orchestratorDb = await orchestratorSchema.dataSource([], 5);
    participantDb = await participantSchema.dataSource([], 10);
    const accounts = `${participantSchema.name}.test_account`;
    await participantDb.query(`CREATE TABLE ${accounts} (id int PRIMARY KEY, n int NOT NULL)`);
    await participantDb.query(`INSERT INTO ${accounts} VALUES (1, 0), (2, 0)`);

    // Two sagas, one per channel; each handler locks both accounts, in opposite orders.
    const definitions = (['ab', 'ba'] as const).map((order, i) =>
      defineSaga<Record<string, never>>(`deadlock-${order}-${run}`, 1)
        .remote('transfer', {
          channel: names.channels[i] as string,
          command: `transfer.${order}`,
          payload: () => ({}),
          timeoutMs: 60_000,
        })
        .build(),
    );
    let attempts = 0;
    let firstLocks = 0;
    const bothHoldOne = () =>
      eventually(
        'both handlers to hold their first lock',
        async () => (firstLocks >= 2 ? true : undefined),
        { timeoutMs: 20_000, intervalMs: 20 },
      );
    const transfer = (ids: [number, number]) => async (manager: EntityManager) => {
      attempts += 1;
      const retry = attempts > 2;
      await manager.query(`UPDATE ${accounts} SET n = n + 1 WHERE id = $1`, [ids[0]]);
      if (!retry) {
        firstLocks += 1;
        await bothHoldOne();
      }
      await manager.query(`UPDATE ${accounts} SET n = n + 1 WHERE id = $1`, [ids[1]]);
    };
    const kafka = (clientId: string) =>
      new KafkaSagaTransport({ brokers: env.kafkaBrokers, clientId, numPartitions: 1 });
    // Two participant consumers (one per channel) on one database, so both handlers run at once.
    const participants = (['ab', 'ba'] as const).map((order, i) => {
      const participant = new SagaRuntime({
        dataSource: participantDb,
        serviceName: `${names.participant}-${order}`,
        transport: kafka(`${names.participant}-${order}`),
      });
      participant.registerHandler({
        command: `transfer.${order}`,
        channel: names.channels[i] as string,
        handle: (_p, { manager }) => transfer(order === 'ab' ? [1, 2] : [2, 1])(manager),
      });
      return participant;
    });
    const orchestrator = new SagaRuntime({
      dataSource: orchestratorDb,
      serviceName: names.orchestrator,
      transport: kafka(names.orchestrator),
      definitions,
    });
    runtimes.push(...participants, orchestrator);
    await Promise.all(participants.map((p) => p.start()));
    await orchestrator.start();

    const ids = await Promise.all(
      definitions.map((d) => orchestrator.orchestrator.start(d.name, {})),
    );
    const views = await Promise.all(
      ids.map((id) =>
        eventually<SagaView>(`saga ${id} to end`, async () => {
          const view = await orchestrator.orchestrator.findById(id);
          return TERMINAL_SAGA_STATES.includes(view.state) ? view : undefined;
        }),
      ),
    );
    expect(views.map((v) => [v.state, v.failureReason])).toEqual([
      ['COMPLETED', null],
      ['COMPLETED', null],
    ]);
    // PostgreSQL broke the deadlock by failing one handler; that one ran again and applied once.
    expect(attempts).toBe(3);
    const balances: { id: number; n: number }[] = await participantDb.query(
      `SELECT id, n FROM ${accounts} ORDER BY id`,
    );
    expect(balances).toEqual([
      { id: 1, n: 2 },
      { id: 2, n: 2 },
    ]);
    for (const participant of participants) {
      expect((participant.transport as KafkaSagaTransport).groupJoins).toBe(1);
    }
  }, 120_000);
});
