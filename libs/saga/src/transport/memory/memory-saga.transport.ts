import { setTimeout as sleep } from 'node:timers/promises';
import { PoisonMessageError } from '../../errors/poison-message.error';
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
import { MemoryBroker } from './memory-broker';

/**
 * Same contract as the Kafka transport (at-least-once, ordered per topic, poison to `<topic>.dlq`,
 * redelivery after a failed handler) without a broker: unit tests and the embedded default.
 */
export class MemorySagaTransport implements SagaTransport {
  private running = false;
  private loops: Promise<void>[] = [];
  connected = false;

  constructor(
    readonly broker: MemoryBroker = new MemoryBroker(),
    private readonly redeliveryBackoffMs: number = SAGA_DEFAULTS.memoryRedeliveryBackoffMs,
  ) {}

  async connect(): Promise<void> {
    this.connected = true;
  }

  async publish(messages: readonly OutgoingMessage[]): Promise<void> {
    for (const message of messages) this.broker.append(message);
  }

  async consume(groupId: string, topics: readonly string[], handler: MessageHandler) {
    this.running = true;
    this.loops = topics.map((topic) => this.loop(groupId, topic, handler));
  }

  async stopConsuming(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    this.loops = [];
  }

  async close(): Promise<void> {
    await this.stopConsuming();
    this.connected = false;
  }

  async read(topic: string, { limit, from }: ReadTopicOptions): Promise<StoredTopicMessage[]> {
    if (from && from.partition !== 0) return [];
    const start = from ? Number(from.offset) : 0;
    return this.broker
      .messages(topic)
      .slice(start, start + limit)
      .map((m) => ({
        topic,
        partition: 0,
        offset: String(m.offset),
        key: m.key,
        value: Buffer.from(m.value),
        headers: m.headers,
        timestamp: m.timestamp,
      }));
  }

  private async loop(groupId: string, topic: string, handler: MessageHandler): Promise<void> {
    while (this.running) {
      const stored = this.broker.next(groupId, topic);
      if (!stored) {
        await this.broker.waitForMessages(50);
        continue;
      }
      const incoming: IncomingMessage = {
        topic,
        partition: 0,
        offset: String(stored.offset),
        key: stored.key,
        value: Buffer.from(stored.value),
        headers: stored.headers,
      };
      try {
        await handler(incoming);
      } catch (error) {
        if (!(error instanceof PoisonMessageError)) {
          await sleep(this.redeliveryBackoffMs);
          continue;
        }
        this.broker.append({
          topic: deadLetterTopic(topic),
          key: stored.key,
          value: stored.value,
          headers: {
            ...stored.headers,
            [SAGA_HEADERS.dlqReason]: error.reason,
            [SAGA_HEADERS.dlqDetail]: error.message,
            [SAGA_HEADERS.dlqOriginalTopic]: topic,
            [SAGA_HEADERS.dlqOriginalPartition]: '0',
            [SAGA_HEADERS.dlqOriginalOffset]: String(stored.offset),
          },
        });
      }
      this.broker.commit(groupId, topic, stored.offset);
    }
  }
}
