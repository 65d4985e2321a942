import type {
  MessageHandler,
  OutgoingMessage,
  ReadTopicOptions,
  SagaTransport,
  StoredTopicMessage,
} from '../transport/saga-transport';
import { SAGA_HEADERS } from '../saga.constants';

/**
 * Fault injection around a real transport: `beforePublish` may throw (a failed send) or wait (a
 * slow broker) before the real publish; `lose` picks messages that are acknowledged but never
 * sent (a broker that lost them); every message that really went out is counted by id.
 */
export class InterceptedTransport implements SagaTransport {
  /** Message ids in the order the real transport accepted them. */
  readonly published: string[] = [];
  beforePublish: (messages: readonly OutgoingMessage[]) => Promise<void> | void = () => undefined;
  lose: (message: OutgoingMessage) => boolean = () => false;

  constructor(readonly inner: SagaTransport) {}

  get connected(): boolean {
    return this.inner.connected;
  }

  connect(topics: readonly string[]): Promise<void> {
    return this.inner.connect(topics);
  }

  async publish(messages: readonly OutgoingMessage[]): Promise<void> {
    await this.beforePublish(messages);
    const kept = messages.filter((m) => !this.lose(m));
    if (kept.length > 0) await this.inner.publish(kept);
    this.published.push(...kept.map((m) => m.headers[SAGA_HEADERS.messageId] ?? '?'));
  }

  consume(groupId: string, topics: readonly string[], handler: MessageHandler): Promise<void> {
    return this.inner.consume(groupId, topics, handler);
  }

  stopConsuming(): Promise<void> {
    return this.inner.stopConsuming();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  read(topic: string, options: ReadTopicOptions): Promise<StoredTopicMessage[]> {
    return this.inner.read(topic, options);
  }
}
