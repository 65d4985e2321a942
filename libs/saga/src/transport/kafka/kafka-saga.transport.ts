import { randomUUID } from 'node:crypto';
import { setTimeout as pause } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import {
  type Admin,
  type Consumer,
  type EachBatchPayload,
  type IHeaders,
  Kafka,
  logLevel,
  type LogEntry,
  Partitioners,
  type Producer,
} from 'kafkajs';
import { PoisonMessageError } from '../../errors/poison-message.error';
import { SagaError } from '../../errors/saga.error';
import { SagaOptionsError } from '../../errors/saga-options.error';
import { SagaPublishRefusedError } from '../../errors/saga-publish-refused.error';
import { SAGA_DEFAULTS, SAGA_HEADERS } from '../../saga.constants';
import {
  deadLetterTopic,
  type IncomingMessage,
  type MessageHandler,
  type OutgoingMessage,
  type ReadTopicOptions,
  type SagaTransport,
  type StoredTopicMessage,
} from '../saga-transport';
import type { KafkaSagaTransportOptions } from './kafka-transport-options.interface';

/**
 * kafkajs directly rather than @nestjs/microservices' ServerKafka: that transport only offers
 * eachMessage (heartbeats between messages only, so a long handler triggers a rebalance), gives
 * no control over the idempotent producer, and has no dead-letter routing.
 */
export class KafkaSagaTransport implements SagaTransport {
  private readonly logger = new Logger(KafkaSagaTransport.name);
  private readonly kafka: Kafka;
  private producer: Producer;
  private consumer?: Consumer;
  /** Admin client and disposer of the consumer's watcher, when `watchConsumer` is set. */
  private watching?: { admin: Admin; stop: () => void };
  connected = false;
  /** Group joins since start: more than one means the group rebalanced (e.g. a missed heartbeat). */
  groupJoins = 0;

  constructor(private readonly options: KafkaSagaTransportOptions) {
    this.kafka = new Kafka({
      clientId: options.clientId ?? 'herd-saga',
      brokers: [...options.brokers],
      logLevel: logLevel.WARN,
      logCreator: () => (entry: LogEntry) => this.log(entry),
    });
    this.producer = this.newProducer();
  }

  private newProducer(): Producer {
    return this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  async connect(topics: readonly string[]): Promise<void> {
    await this.createTopics(topics);
    await this.producer.connect();
    this.connected = true;
  }

  async publish(messages: readonly OutgoingMessage[]): Promise<void> {
    const byTopic = new Map<string, { key: string; value: string; headers: IHeaders }[]>();
    for (const m of messages) {
      const list = byTopic.get(m.topic) ?? [];
      list.push({ key: m.key, value: m.value, headers: m.headers });
      byTopic.set(m.topic, list);
    }
    try {
      await this.producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, list]) => ({ topic, messages: list })),
      });
    } catch (error) {
      const refusal = refusalOf(error);
      // kafkajs has counted the failed batch into its idempotence sequence: every later send would
      // be refused as out of order. A new producer (new producer id) starts a clean sequence.
      if (refusal || typeOf(error) === 'OUT_OF_ORDER_SEQUENCE_NUMBER') await this.replaceProducer();
      if (refusal) throw new SagaPublishRefusedError(refusal, (error as Error).message);
      throw error;
    }
  }

  private async replaceProducer(): Promise<void> {
    const old = this.producer;
    this.producer = this.newProducer();
    await old.disconnect().catch(() => undefined);
    await this.producer.connect();
  }

  async consume(groupId: string, topics: readonly string[], handler: MessageHandler) {
    const consumer = this.kafka.consumer({
      groupId,
      sessionTimeout: this.options.sessionTimeoutMs ?? SAGA_DEFAULTS.sessionTimeoutMs,
      heartbeatInterval: this.options.heartbeatIntervalMs ?? SAGA_DEFAULTS.heartbeatIntervalMs,
      maxWaitTimeInMs: this.options.maxWaitTimeInMs ?? 100,
      allowAutoTopicCreation: false,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      this.groupJoins += 1;
    });
    if (this.options.watchConsumer) {
      const admin = this.kafka.admin();
      await admin.connect();
      this.watching = {
        admin,
        stop: this.options.watchConsumer(consumer, admin) ?? (() => undefined),
      };
    }
    await consumer.connect();
    await consumer.subscribe({ topics: [...topics], fromBeginning: true });
    await consumer.run({
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently:
        this.options.partitionsConsumedConcurrently ?? SAGA_DEFAULTS.partitionsConsumedConcurrently,
      eachBatch: (payload) => this.eachBatch(payload, handler),
    });
  }

  async stopConsuming(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    // disconnect() waits for the batch in hand and commits the resolved offsets.
    if (consumer) await consumer.disconnect();
    const watching = this.watching;
    this.watching = undefined;
    if (watching) {
      watching.stop();
      await watching.admin.disconnect();
    }
  }

  async close(): Promise<void> {
    await this.stopConsuming();
    await this.producer.disconnect();
    this.connected = false;
  }

  /**
   * kafkajs reads only through a consumer group: a throwaway one that commits nothing reads up to
   * each partition's high watermark as it was when the read began, and is deleted afterwards.
   */
  async read(topic: string, { limit, from }: ReadTopicOptions): Promise<StoredTopicMessage[]> {
    const admin = this.kafka.admin();
    await admin.connect();
    const groupId = `herd-saga-reader.${randomUUID()}`;
    const consumer = this.kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
    try {
      /** Partition -> [first offset to read, high watermark (exclusive)]. */
      const ranges = new Map<number, [bigint, bigint]>();
      for (const p of await admin.fetchTopicOffsets(topic)) {
        if (from && p.partition !== from.partition) continue;
        const low = BigInt(p.low);
        const start = from && BigInt(from.offset) > low ? BigInt(from.offset) : low;
        if (BigInt(p.high) > start) ranges.set(p.partition, [start, BigInt(p.high)]);
      }
      if (ranges.size === 0 || limit <= 0) return [];
      const read = new Map<number, StoredTopicMessage[]>();
      let count = 0;
      let finish = () => undefined as void;
      const finished = new Promise<void>((done) => (finish = done));
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          const range = ranges.get(batch.partition);
          if (!range) return;
          const [start, high] = range;
          for (const m of batch.messages) {
            const offset = BigInt(m.offset);
            if (offset < start) continue;
            if (offset >= high || count >= limit) break;
            const list = read.get(batch.partition) ?? [];
            list.push({
              topic,
              partition: batch.partition,
              offset: m.offset,
              key: m.key ? m.key.toString() : null,
              value: m.value,
              headers: stringHeaders(m.headers),
              timestamp: new Date(Number(m.timestamp)),
            });
            read.set(batch.partition, list);
            count += 1;
          }
          const last = BigInt(batch.lastOffset());
          if (last + 1n >= high || count >= limit) ranges.delete(batch.partition);
          if (ranges.size === 0) finish();
        },
      });
      if (from) consumer.seek({ topic, partition: from.partition, offset: from.offset });
      let timer: NodeJS.Timeout | undefined;
      const timeoutMs = SAGA_DEFAULTS.topicReadTimeoutMs;
      await Promise.race([
        finished,
        new Promise<never>((_, fail) => {
          timer = setTimeout(
            () =>
              fail(new SagaError(`reading ${topic} did not finish within ${timeoutMs} ms`, true)),
            timeoutMs,
          );
        }),
      ]).finally(() => clearTimeout(timer));
      return [...read]
        .sort(([a], [b]) => a - b)
        .flatMap(([, list]) => list)
        .slice(0, limit);
    } finally {
      await consumer.disconnect().catch(() => undefined);
      await admin.deleteGroups([groupId]).catch(() => undefined);
      await admin.disconnect();
    }
  }

  private async eachBatch(payload: EachBatchPayload, handler: MessageHandler): Promise<void> {
    const { batch, resolveOffset, heartbeat, isRunning, isStale, commitOffsetsIfNecessary } =
      payload;
    const beat = this.options.heartbeatIntervalMs ?? SAGA_DEFAULTS.heartbeatIntervalMs;
    // Heartbeats keep flowing while a long handler runs, so the group does not rebalance.
    const timer = setInterval(() => void heartbeat().catch(() => undefined), beat);
    try {
      for (const message of batch.messages) {
        if (!isRunning() || isStale()) break;
        const incoming: IncomingMessage = {
          topic: batch.topic,
          partition: batch.partition,
          offset: message.offset,
          key: message.key ? message.key.toString() : null,
          value: message.value,
          headers: stringHeaders(message.headers),
        };
        try {
          await handler(incoming);
        } catch (error) {
          if (!(error instanceof PoisonMessageError)) throw error;
          await this.deadLetter(incoming, error);
        }
        resolveOffset(message.offset);
        await heartbeat();
      }
    } finally {
      clearInterval(timer);
    }
    await commitOffsetsIfNecessary();
  }

  private async deadLetter(message: IncomingMessage, error: PoisonMessageError): Promise<void> {
    this.logger.warn(
      `dead-lettering ${message.topic}[${message.partition}]@${message.offset}: ${error.reason}: ${error.message}`,
    );
    await this.producer.send({
      topic: deadLetterTopic(message.topic),
      acks: -1,
      messages: [
        {
          key: message.key,
          value: message.value,
          headers: {
            ...message.headers,
            [SAGA_HEADERS.dlqReason]: error.reason,
            [SAGA_HEADERS.dlqDetail]: error.message,
            [SAGA_HEADERS.dlqOriginalTopic]: message.topic,
            [SAGA_HEADERS.dlqOriginalPartition]: String(message.partition),
            [SAGA_HEADERS.dlqOriginalOffset]: message.offset,
          },
        },
      ],
    });
  }

  /**
   * Services booting together (an orchestrator and its participant on a fresh cluster) create the
   * same topics at once: the loser of that race sees a topic that exists but has no leader yet
   * (UNKNOWN_TOPIC_OR_PARTITION while waiting for leaders), so it looks again after a pause.
   */
  private async createTopics(topics: readonly string[]): Promise<void> {
    const admin: Admin = this.kafka.admin();
    await admin.connect();
    try {
      for (let attempt = 1; ; attempt += 1) {
        const existing = new Set(await admin.listTopics());
        const missing = [...new Set(topics)].filter((t) => !existing.has(t));
        if (missing.length === 0) return;
        if (this.options.createTopics === false) {
          throw new SagaOptionsError(
            'transport.createTopics',
            `is false, but these topics do not exist: ${missing.join(', ')}`,
          );
        }
        try {
          await admin.createTopics({
            waitForLeaders: true,
            topics: missing.map((topic) => ({
              topic,
              numPartitions: this.options.numPartitions ?? -1,
            })),
          });
          return;
        } catch (error) {
          if (typeOf(error) !== 'UNKNOWN_TOPIC_OR_PARTITION' || attempt >= 5) throw error;
          await pause(500 * attempt);
        }
      }
    } finally {
      await admin.disconnect();
    }
  }

  private log(entry: LogEntry): void {
    const text = entry.namespace ? `${entry.namespace}: ${entry.log.message}` : entry.log.message;
    if (entry.level <= logLevel.ERROR) this.logger.error(text);
    else this.logger.warn(text);
  }
}

/** Broker answers that refuse the message or its topic rather than say the broker is away. */
const REFUSALS = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
  'UNKNOWN_TOPIC_OR_PARTITION',
  'INVALID_TOPIC_EXCEPTION',
  'TOPIC_AUTHORIZATION_FAILED',
  'POLICY_VIOLATION',
]);

/** The refusal type in a kafkajs error or its causes (retries wrap the broker's answer). */
function refusalOf(error: unknown): string | undefined {
  const type = typeOf(error);
  return type && REFUSALS.has(type) ? type : undefined;
}

function typeOf(error: unknown): string | undefined {
  for (
    let e = error as { type?: string; cause?: unknown } | undefined, depth = 0;
    e && depth < 5;
    depth += 1
  ) {
    if (e.type) return e.type;
    e = e.cause as typeof e;
  }
  return undefined;
}

function stringHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    out[key] = Array.isArray(value) ? String(value[0]) : String(value);
  }
  return out;
}
