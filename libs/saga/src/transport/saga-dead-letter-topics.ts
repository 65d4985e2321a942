import { SagaDeadLetterNotFoundError } from '../errors/saga-dead-letter-not-found.error';
import { SagaError } from '../errors/saga.error';
import { SAGA_DEFAULTS, SAGA_HEADERS } from '../saga.constants';
import { deadLetterTopic, type SagaTransport, type StoredTopicMessage } from './saga-transport';

/** A poison message in one of the service's `<topic>.dlq` topics, as operators see it. */
export interface DeadLetteredMessage {
  /** `<dead-letter topic>/<partition>/<offset>`: what `replay()` takes. */
  readonly ref: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  /** Where the message was consumed from, and where `replay()` puts it back. */
  readonly originalTopic: string;
  readonly originalPartition: number;
  readonly originalOffset: string;
  /** A `PoisonReason` (`unknown-type`, `unknown-definition-version`, …). */
  readonly reason: string;
  readonly detail: string;
  readonly key: string | null;
  /** From the message's headers; null for a message that did not come from a saga lib. */
  readonly messageId: string | null;
  readonly messageType: string | null;
  readonly sagaId: string | null;
  readonly deadLetteredAt: Date;
}

/**
 * Operator commands on the Kafka dead-letter topics of the topics this service consumes: list the
 * poison messages with their reason, and put one back onto its original topic once its cause is
 * fixed (the handler deployed, the definition version registered). A dead-letter topic is a log:
 * its entries stay until the topic's retention, and replaying one twice is harmless, since the
 * message keeps its id (the inbox skips a command already applied, the orchestrator takes only the
 * reply it waits for).
 */
export class SagaDeadLetterTopics {
  constructor(
    private readonly transport: SagaTransport,
    /** The dead-letter topics of what the service consumes (known once handlers are registered). */
    private readonly deadLetterTopics: () => string[],
  ) {}

  get topics(): string[] {
    return this.deadLetterTopics();
  }

  /** Entries of every dead-letter topic of the service (or of `topic`), oldest first per topic. */
  async list(options: { topic?: string; limit?: number } = {}): Promise<DeadLetteredMessage[]> {
    const limit = Math.min(options.limit ?? SAGA_DEFAULTS.deadLetterListLimit, 1000);
    const topics = options.topic === undefined ? this.topics : [this.known(options.topic)];
    const out: DeadLetteredMessage[] = [];
    for (const topic of topics) {
      if (out.length >= limit) break;
      const read = await this.transport.read(topic, { limit: limit - out.length });
      out.push(...read.map(view));
    }
    return out;
  }

  /**
   * Publishes the entry back onto its original topic with its key, value and headers (the
   * dead-letter headers replaced by `herd-dlq-replayed-from`), where the service's consumer
   * handles it again like any message, poison checks included.
   */
  async replay(ref: string): Promise<DeadLetteredMessage> {
    const match = /^(.+)\/(\d+)\/(\d+)$/.exec(ref);
    if (!match || !this.topics.includes(match[1] as string)) {
      throw new SagaDeadLetterNotFoundError(ref);
    }
    const [, topic, partition, offset] = match as unknown as [string, string, string, string];
    if (!this.transport.connected) {
      throw new SagaError('replaying a dead letter needs the started runtime (its producer)');
    }
    const [stored] = await this.transport.read(topic, {
      limit: 1,
      from: { partition: Number(partition), offset },
    });
    if (!stored || stored.offset !== offset) throw new SagaDeadLetterNotFoundError(ref);
    const entry = view(stored);
    const headers = Object.fromEntries(
      Object.entries(stored.headers).filter(([name]) => !DLQ_HEADERS.has(name)),
    );
    await this.transport.publish([
      {
        topic: entry.originalTopic,
        key: stored.key ?? '',
        value: stored.value ? stored.value.toString() : '',
        headers: { ...headers, [SAGA_HEADERS.dlqReplayedFrom]: ref },
      },
    ]);
    return entry;
  }

  private known(topic: string): string {
    if (!this.topics.includes(topic)) {
      throw new SagaError(
        `"${topic}" is not a dead-letter topic of this service (${this.topics.join(', ')})`,
      );
    }
    return topic;
  }
}

const DLQ_SUFFIX = deadLetterTopic('');

const DLQ_HEADERS = new Set<string>([
  SAGA_HEADERS.dlqReason,
  SAGA_HEADERS.dlqDetail,
  SAGA_HEADERS.dlqOriginalTopic,
  SAGA_HEADERS.dlqOriginalPartition,
  SAGA_HEADERS.dlqOriginalOffset,
  SAGA_HEADERS.dlqReplayedFrom,
]);

function view(m: StoredTopicMessage): DeadLetteredMessage {
  const h = m.headers;
  return {
    ref: `${m.topic}/${m.partition}/${m.offset}`,
    topic: m.topic,
    partition: m.partition,
    offset: m.offset,
    // From the dead-letter topic's name, not a header: a replay goes back only where it came from.
    originalTopic: m.topic.slice(0, -DLQ_SUFFIX.length),
    originalPartition: Number(h[SAGA_HEADERS.dlqOriginalPartition] ?? -1),
    originalOffset: h[SAGA_HEADERS.dlqOriginalOffset] ?? '',
    reason: h[SAGA_HEADERS.dlqReason] ?? 'unknown',
    detail: h[SAGA_HEADERS.dlqDetail] ?? '',
    key: m.key,
    messageId: h[SAGA_HEADERS.messageId] ?? null,
    messageType: h[SAGA_HEADERS.messageType] ?? null,
    sagaId: h[SAGA_HEADERS.sagaId] ?? null,
    deadLetteredAt: m.timestamp,
  };
}
