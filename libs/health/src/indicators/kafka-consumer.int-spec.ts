import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { createTestTopics, herdInfraEnv } from '@herd/testing';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Admin, Consumer, Kafka, logLevel, Producer } from 'kafkajs';
import request from 'supertest';
import { HealthModule, KafkaConsumerHealthIndicator, KafkaConsumerProbe } from '../index';

const suffix = randomBytes(4).toString('hex');
const topic = `herd-health-${suffix}`;
const groupId = `herd-health-${suffix}`;
const MAX_LAG = 5;

describe('Kafka consumer indicator (real Kafka)', () => {
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  let consumer: Consumer;
  let app: INestApplication;
  let releaseGate: () => void = () => undefined;
  let handled = 0;

  beforeAll(async () => {
    kafka = new Kafka({
      clientId: `herd-health-${suffix}`,
      brokers: herdInfraEnv().kafkaBrokers,
      logLevel: logLevel.NOTHING,
    });
    admin = kafka.admin();
    await admin.connect();
    await createTestTopics(admin, [{ topic, numPartitions: 2 }]);
    producer = kafka.producer();
    await producer.connect();
    consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 500 });
    const moduleRef = await Test.createTestingModule({
      imports: [
        HealthModule.forRoot({
          service: 'codec',
          checkIntervalMs: 500,
          checkTimeoutMs: 3_000,
          shutdown: { graceMs: 0 },
          logging: { level: 'silent' },
        }),
      ],
    }).compile();
    app = moduleRef.createNestApplication();
    await app.init();
  });

  afterAll(async () => {
    releaseGate();
    await consumer?.disconnect().catch(() => undefined);
    await producer?.disconnect().catch(() => undefined);
    await app?.close();
    await admin?.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin?.deleteGroups([groupId]).catch(() => undefined);
    await admin?.disconnect();
  });

  async function readyUntil(
    predicate: (res: request.Response) => boolean,
    deadlineMs: number,
  ): Promise<request.Response> {
    const until = Date.now() + deadlineMs;
    let last: request.Response;
    do {
      last = await request(app.getHttpServer()).get('/health/ready');
      if (predicate(last)) return last;
      await sleep(200);
    } while (Date.now() < until);
    return last;
  }

  it('follows membership and lag of the real consumer: joining → member → lagging → caught up → stopped', async () => {
    app
      .get(KafkaConsumerHealthIndicator)
      .watch(consumer, { name: 'transcode', admin, maxLag: MAX_LAG });

    // Readiness is checked in the background: a newly watched consumer shows from the next run.
    const joining = await readyUntil((res) => res.status === 503, 5_000);
    expect(joining.body.error['kafka:transcode']).toMatchObject({
      status: 'down',
      phase: 'joining',
      message: 'not a consumer group member yet',
    });

    let gate = Promise.resolve();
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async () => {
        await gate;
        handled += 1;
      },
    });

    const member = await readyUntil((res) => res.status === 200, 30_000);
    expect(member.status).toBe(200);
    expect(member.body.details['kafka:transcode']).toMatchObject({
      status: 'up',
      phase: 'member',
      groupId,
      lag: 0,
      maxLag: MAX_LAG,
    });

    gate = new Promise<void>((resolve) => (releaseGate = resolve));
    await producer.send({
      topic,
      messages: Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })),
    });
    const lagging = await readyUntil((res) => res.status === 503, 20_000);
    expect(lagging.status).toBe(503);
    expect(lagging.body.error['kafka:transcode']).toMatchObject({
      status: 'down',
      phase: 'member',
    });
    expect(lagging.body.error['kafka:transcode'].lag).toBeGreaterThan(MAX_LAG);
    expect(lagging.body.error['kafka:transcode'].message).toMatch(/^lag \d+ > 5$/);

    releaseGate();
    const caughtUp = await readyUntil((res) => res.status === 200, 20_000);
    expect(caughtUp.status).toBe(200);
    expect(caughtUp.body.details['kafka:transcode'].lag).toBeLessThanOrEqual(MAX_LAG);
    expect(handled).toBeGreaterThanOrEqual(20 - MAX_LAG);

    await consumer.stop();
    const stopped = await readyUntil((res) => res.status === 503, 10_000);
    expect(stopped.body.error['kafka:transcode']).toMatchObject({
      status: 'down',
      phase: 'stopped',
      message: 'consumer stopped',
    });
  });

  it('reports a consumer that crashed without restart', async () => {
    const crashing = kafka.consumer({
      groupId: `${groupId}-crash`,
      retry: { retries: 0, restartOnFailure: async () => false },
    });
    const probe = new KafkaConsumerProbe(crashing, { name: 'crashing' });
    try {
      await crashing.connect();
      await crashing.subscribe({ topic, fromBeginning: true });
      await producer.send({ topic, messages: [{ key: 'poison', value: 'undecodable' }] });
      await crashing.run({
        eachMessage: async () => {
          throw new Error('cannot decode postgres://u:pw@db payload');
        },
      });
      const until = Date.now() + 30_000;
      while (probe.status().phase !== 'crashed' && Date.now() < until) await sleep(100);
      const result = await probe.check();
      expect(result['kafka:crashing']).toMatchObject({ status: 'down', phase: 'crashed' });
      expect(String(result['kafka:crashing'].message)).toContain(
        'cannot decode postgres://u:[REDACTED]@db payload',
      );
    } finally {
      probe.close();
      await crashing.disconnect().catch(() => undefined);
      await admin.deleteGroups([`${groupId}-crash`]).catch(() => undefined);
    }
  });
});
