import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { randomUUID } from 'node:crypto';
import { Admin, Consumer, Kafka, logLevel, Producer } from 'kafkajs';
import { loadServiceConfig } from '@herd/service';
import { DockerEngineClient, ensureSwarm } from '@herd/swarm';
import {
  eventually,
  herdInfraEnv,
  resolveInfraPaths,
  resolveNodeBaseImage,
  silentProgress,
  createTestTopics,
} from '@herd/testing';
import { loadShepherdConfig } from '../config/shepherd-config';
import { SHEPHERD_SERVICE } from '../shepherd.constants';
import { ShepherdModule } from '../shepherd.module';
import { SwarmScalingTarget } from './targets/swarm-scaling-target';
import { AutoscalerService } from './autoscaler.service';

/**
 * The lag rule end to end on real Kafka and a real swarm: a burst on a consumer group's topic
 * makes the shepherd scale the app's Swarm service out; once the group has drained and stayed
 * idle for the window, it scales back in. The service's tasks are idle Node processes standing in
 * for codec (the consumer group is the test's own), so the scale itself is what is proved.
 */
describe('scaling on Kafka consumer lag', () => {
  const infra = herdInfraEnv();
  const run = randomUUID().slice(0, 8);
  const topic = `shepherd-lag-${run}`;
  const group = `shepherd-lag-${run}`;
  const kafka = new Kafka({
    brokers: infra.kafkaBrokers,
    clientId: `lag-test-${run}`,
    logLevel: logLevel.NOTHING,
  });
  const engine = new DockerEngineClient();
  const stack = `herdtest-lag-${run}`;
  const service = `${stack}_codec`;
  let admin: Admin;
  let producer: Producer;
  let consumer: Consumer;
  const replicas = async () => (await engine.inspectService(service)).Spec.Mode.Replicated.Replicas;
  let app: INestApplication;
  let consumed = 0;

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
    await createTestTopics(admin, [{ topic, numPartitions: 2 }]);
    producer = kafka.producer();
    await producer.connect();
    consumer = kafka.consumer({ groupId: group });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async () => void consumed++ });
    await ensureSwarm(engine);
    const image = await resolveNodeBaseImage({
      paths: resolveInfraPaths(),
      progress: silentProgress,
    });
    await engine.createService({
      Name: service,
      Labels: { 'io.herd.test': stack },
      TaskTemplate: {
        ContainerSpec: { Image: image, Command: ['node', '-e', 'setInterval(() => {}, 1000)'] },
        Resources: { Limits: { MemoryBytes: 64 * 1024 * 1024 } },
        Networks: [{ Target: 'host' }],
      },
      Mode: { Replicated: { Replicas: 2 } },
    });
    const config = loadServiceConfig(
      { name: SHEPHERD_SERVICE, version: '0.0.0', port: 0 },
      { HERD_KAFKA_BROKERS: infra.kafkaBrokers.join(','), HERD_INSTANCE_ID: `shepherd-lag-${run}` },
    );
    const shepherd = loadShepherdConfig({
      SHEPHERD_CYCLE_MS: '500',
      SHEPHERD_POLICIES: JSON.stringify([
        {
          app: 'codec',
          minInstances: 2,
          maxInstances: 4,
          scaleOutCycles: 2,
          scaleInCycles: 1,
          cooldownMs: 2_000,
          lag: { group, topics: [topic], targetPerInstance: 5, idleWindowMs: 3_000 },
        },
      ]),
    });
    const moduleRef = await Test.createTestingModule({
      imports: [
        ShepherdModule.forRoot(config, shepherd, {
          logging: { level: 'silent' },
          target: new SwarmScalingTarget(engine, stack),
        }),
      ],
    }).compile();
    app = moduleRef.createNestApplication();
    await app.listen(0, '127.0.0.1');
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await consumer?.disconnect();
    await producer?.disconnect();
    await admin?.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin?.disconnect();
    await engine.removeService(service).catch(() => undefined);
  }, 60_000);

  const acted = async () =>
    (
      await app.get(AutoscalerService).decisions({ app: 'codec', acted: true, limit: 10 })
    ).reverse();

  it('scales out while the lag per instance stays above target, and back in after the idle window', async () => {
    // The group's workers stop taking work (as a busy codec would); a burst arrives.
    consumer.pause([{ topic }]);
    await producer.send({
      topic,
      messages: Array.from({ length: 60 }, (_, i) => ({ key: String(i), value: `job ${i}` })),
    });
    const out = await eventually(
      'a scale-out on lag',
      async () => (await acted()).find((d) => d.action === 'scale-out'),
      { timeoutMs: 60_000 },
    );
    expect(out).toMatchObject({
      cause: 'lag',
      outcome: 'applied',
      fromInstances: 2,
      toInstances: 3,
    });
    expect(out.reason).toMatch(/^lag \d+ \(\d+(\.\d)? per instance\) > 5 for 2 cycles$/);
    expect(await replicas()).toBeGreaterThanOrEqual(3);

    // The workers catch up: the lag drains, and after 3 s of idle group the herd shrinks again.
    consumer.resume([{ topic }]);
    await eventually('the burst consumed', async () => (consumed >= 60 ? true : undefined), {
      timeoutMs: 60_000,
    });
    const back = await eventually(
      'a scale-in after the idle window',
      async () => (await acted()).find((d) => d.action === 'scale-in'),
      { timeoutMs: 90_000 },
    );
    expect(back).toMatchObject({ cause: 'lag', outcome: 'applied' });
    expect(back.reason).toMatch(/^lag 0 for \d+ s \(idle window 3 s\) for 1 cycles$/);
    await eventually(
      'codec back at its minimum',
      async () => ((await replicas()) === 2 ? true : undefined),
      { timeoutMs: 60_000 },
    );
    // Nothing acted in between without a reason: every action is one of these two kinds.
    expect((await acted()).every((d) => d.cause === 'lag' && d.outcome === 'applied')).toBe(true);
  }, 240_000);
});
