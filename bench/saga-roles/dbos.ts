import { DBOS } from '@dbos-inc/dbos-sdk';
import { KafkaReceiver } from '@dbos-inc/kafkajs-receive';
import { Kafka, logLevel, Partitioners, type KafkaMessage } from 'kafkajs';
import { createSystemTopics, startRoleProcess } from './role-process';

/**
 * The same two-service flow written the way a user of DBOS Transact would: a durable workflow
 * sends each command over Kafka as a step and waits for its reply with `DBOS.recv`; a DBOS Kafka
 * consumer in this process hands replies to the waiting workflow (`DBOS.send`); the participant
 * is a DBOS Kafka consumer in a second process. Each side has its own DBOS system schema, with a
 * pool of `poolSize` like Herd's roles.
 */
export async function dbosPeer(options: {
  run: string;
  brokers: string[];
  url: string;
  ledgerSchema: string;
  partitions: number;
  poolSize: number;
}) {
  const { run, brokers, url } = options;
  const commands = `herd-bench.dbos.${run}`;
  const replies = `herd-bench.dbos-replies.${run}`;
  const kafka = new Kafka({ brokers, clientId: `dbos-orders-${run}`, logLevel: logLevel.NOTHING });
  await createSystemTopics(brokers, [commands, replies], options.partitions);

  const participant = await startRoleProcess('dbos-participant.ts', {
    RUN: run,
    BROKERS: brokers.join(','),
    PG_URL: url,
    LEDGER_SCHEMA: options.ledgerSchema,
    COMMANDS: commands,
    REPLIES: replies,
    POOL_SIZE: String(options.poolSize),
  });

  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const saga = DBOS.registerWorkflow(
    async () => {
      const workflowId = DBOS.workflowID as string;
      for (const step of [0, 1]) {
        await DBOS.runStep(
          () =>
            producer.send({
              topic: commands,
              acks: -1,
              messages: [{ key: workflowId, value: JSON.stringify({ workflowId, step }) }],
            }),
          { name: `command-${step}` },
        );
        const reply = await DBOS.recv<{ step: number }>(`reply-${step}`, 60);
        if (!reply) throw new Error(`no reply to step ${step} of ${workflowId}`);
      }
    },
    { name: 'dbosSaga' },
  );
  const onReply = DBOS.registerWorkflow(
    async (_topic: string, _partition: number, message: KafkaMessage) => {
      const reply = JSON.parse(String(message.value)) as { workflowId: string; step: number };
      await DBOS.send(reply.workflowId, reply, `reply-${reply.step}`);
    },
    { name: 'onReply' },
  );
  const receiver = new KafkaReceiver({
    brokers,
    clientId: `dbos-orders-${run}`,
    logLevel: logLevel.NOTHING,
  });
  receiver.registerConsumer(onReply, replies, {
    config: { groupId: `dbos-orders-${run}`, maxWaitTimeInMs: 100 },
  });
  DBOS.setConfig({
    name: `bench-orders-${run}`,
    systemDatabaseUrl: url,
    systemDatabaseSchemaName: `dbos_orders_${run}`,
    systemDatabasePoolSize: options.poolSize,
    logLevel: 'error',
  });
  await DBOS.launch();

  return {
    participant,
    runOne: async () => {
      const handle = await DBOS.startWorkflow(saga)();
      await handle.getResult();
    },
    topics: [commands, replies],
    /** DBOS's system schemas, to drop with the run's. */
    schemas: [`dbos_orders_${run}`, `dbos_credit_${run}`],
    groups: [`dbos-orders-${run}`, `dbos-credit-${run}`],
    close: async () => {
      await DBOS.shutdown();
      await producer.disconnect();
      await participant.stop();
    },
  };
}
