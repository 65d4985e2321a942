import { DBOS } from '@dbos-inc/dbos-sdk';
import { KafkaReceiver } from '@dbos-inc/kafkajs-receive';
import { Kafka, logLevel, Partitioners, type KafkaMessage } from 'kafkajs';
import { Pool } from 'pg';
import { roleEnv, roleReady, runRole } from './role-process';

/**
 * The participant of the DBOS peer, in its own process as a second service would be: a DBOS Kafka
 * consumer whose workflow writes the business row and sends the reply, each as a durable step.
 */
runRole(async () => {
  const env = roleEnv(
    'RUN',
    'BROKERS',
    'PG_URL',
    'LEDGER_SCHEMA',
    'COMMANDS',
    'REPLIES',
    'POOL_SIZE',
  );
  const poolSize = Number(env.POOL_SIZE);
  const ledger = new Pool({
    connectionString: env.PG_URL,
    max: poolSize,
    options: `-c search_path=${env.LEDGER_SCHEMA}`,
  });
  const brokers = env.BROKERS.split(',');
  const producer = new Kafka({
    brokers,
    clientId: `dbos-credit-${env.RUN}`,
    logLevel: logLevel.NOTHING,
  }).producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const onCommand = DBOS.registerWorkflow(
    async (_topic: string, _partition: number, message: KafkaMessage) => {
      const command = JSON.parse(String(message.value)) as { workflowId: string; step: number };
      await DBOS.runStep(
        () =>
          ledger.query('INSERT INTO test_ledger_entry (saga_id, kind) VALUES ($1, $2)', [
            command.workflowId,
            `step-${command.step}`,
          ]),
        { name: 'ledger' },
      );
      await DBOS.runStep(
        () =>
          producer.send({
            topic: env.REPLIES,
            acks: -1,
            messages: [{ key: command.workflowId, value: JSON.stringify(command) }],
          }),
        { name: 'reply' },
      );
    },
    { name: 'onCommand' },
  );
  const receiver = new KafkaReceiver({
    brokers,
    clientId: `dbos-credit-${env.RUN}`,
    logLevel: logLevel.NOTHING,
  });
  receiver.registerConsumer(onCommand, env.COMMANDS, {
    config: { groupId: `dbos-credit-${env.RUN}`, maxWaitTimeInMs: 100 },
  });
  DBOS.setConfig({
    name: `bench-credit-${env.RUN}`,
    systemDatabaseUrl: env.PG_URL,
    systemDatabaseSchemaName: `dbos_credit_${env.RUN}`,
    systemDatabasePoolSize: poolSize,
    logLevel: 'error',
  });
  await DBOS.launch();
  roleReady(async () => {
    await DBOS.shutdown();
    await producer.disconnect();
    await ledger.end();
  });
});
