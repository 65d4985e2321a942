import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { herdInfraEnv } from '@herd/testing';
import { defineSaga, SagaRuntime, OutboxMessageEntity } from '@herd/saga';
import { IsNull } from 'typeorm';
import { PgTestSchema } from '/work/main/libs/saga/src/testing/pg-test-schema';
async function main() {
  const env = herdInfraEnv();
  const run = randomBytes(4).toString('hex');
  const s1 = new PgTestSchema(env.postgresUrl);
  await s1.create();
  await s1.synchronize();
  const d1 = await s1.dataSource([], 5);
  const saga = defineSaga<{ n: number }>(`exp-${run}`, 1)
    .remote('one', { channel: `herd-exp.${run}`, command: 'one', payload: (d) => d })
    .build();
  const orch = new SagaRuntime({
    dataSource: d1,
    serviceName: `o-${run}`,
    transport: { type: 'kafka', brokers: env.kafkaBrokers },
    definitions: [saga],
    relay: { listen: false },
  });
  await orch.start();
  for (let i = 0; i < 5; i++) {
    const t = Date.now();
    await orch.orchestrator.start(saga.name, { n: i });
    while ((await d1.manager.count(OutboxMessageEntity, { where: { sentAt: IsNull() } })) > 0)
      await sleep(2);
    console.log('sent after', Date.now() - t);
  }
  await orch.close();
  await s1.drop();
}
main().then(() => process.exit(0));
