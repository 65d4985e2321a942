import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Admin, Consumer, Kafka, logLevel, Partitioners, Producer } from 'kafkajs';
import { herdInfraEnv } from './infra-env';

/**
 * Stable names on purpose: the group keeps its committed offsets after the run, so Kafka's own
 * tools (`.herd/bin/kafka-consumer-groups --list`) show it. Each run checks its own messages only.
 */
const TOPIC = 'herd.smoke';
const GROUP_ID = 'herd-smoke';

describe('Apache Kafka (real broker)', () => {
  const runId = randomUUID();
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  let consumer: Consumer;

  beforeAll(async () => {
    kafka = new Kafka({
      clientId: 'herd-smoke',
      brokers: herdInfraEnv().kafkaBrokers,
      logLevel: logLevel.WARN,
    });
    admin = kafka.admin();
    producer = kafka.producer({
      idempotent: true,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    consumer = kafka.consumer({ groupId: GROUP_ID });
    await Promise.all([admin.connect(), producer.connect(), consumer.connect()]);
  });

  afterAll(async () => {
    await consumer.disconnect();
    await producer.disconnect();
    await admin.disconnect();
  });

  it('reports the broker through the admin API', async () => {
    const cluster = await admin.describeCluster();
    expect(cluster.brokers).toHaveLength(1);
    expect(cluster.brokers[0]).toMatchObject({ nodeId: 1, host: '127.0.0.1' });
    expect(cluster.controller).toBe(1);
  });

  it('creates a topic, produces, and consumes in a consumer group that commits offsets', async () => {
    if (!(await admin.listTopics()).includes(TOPIC)) {
      expect(
        await admin.createTopics({
          topics: [{ topic: TOPIC, numPartitions: 3 }],
          waitForLeaders: true,
        }),
      ).toBe(true);
    }
    const metadata = await admin.fetchTopicMetadata({ topics: [TOPIC] });
    expect(metadata.topics[0]?.partitions).toHaveLength(3);

    const sent = Array.from({ length: 10 }, (_, i) => ({
      key: `sheep-${i % 3}`,
      value: `${runId}:${i}`,
    }));
    const received = new Set<string>();
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    const allReceived = new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          const value = message.value?.toString() ?? '';
          if (value.startsWith(runId)) received.add(value);
          if (received.size === sent.length) resolve();
        },
      });
    });
    await producer.send({ topic: TOPIC, messages: sent });
    await allReceived;
    expect([...received].sort()).toEqual(sent.map((m) => m.value).sort());

    const group = (await admin.describeGroups([GROUP_ID])).groups[0];
    expect(group).toMatchObject({ groupId: GROUP_ID, state: 'Stable' });
    expect(group?.members).toHaveLength(1);

    const endOffsets = await admin.fetchTopicOffsets(TOPIC);
    const committedAll = async () => {
      const [committed] = await admin.fetchOffsets({ groupId: GROUP_ID, topics: [TOPIC] });
      return endOffsets
        .filter((end) => end.offset !== '0')
        .every(
          (end) =>
            committed?.partitions.find((p) => p.partition === end.partition)?.offset === end.offset,
        );
    };
    const deadline = Date.now() + 15_000;
    while (!(await committedAll()) && Date.now() < deadline) await sleep(200);
    expect(await committedAll()).toBe(true);
  });
});
