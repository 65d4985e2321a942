/** A message handed to the transport for publishing (from the outbox relay). */
export interface OutgoingMessage {
  readonly topic: string;
  readonly key: string;
  readonly value: string;
  readonly headers: Record<string, string>;
}

export interface IncomingMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly headers: Record<string, string>;
}

/** A message read back from a topic (a dead letter), with the time the broker stored it. */
export interface StoredTopicMessage extends IncomingMessage {
  readonly timestamp: Date;
}

export interface ReadTopicOptions {
  /** At most this many messages, in partition then offset order. */
  readonly limit: number;
  /** Only this partition, from this offset on (default: every partition from its start). */
  readonly from?: { readonly partition: number; readonly offset: string };
}

/**
 * Throwing `PoisonMessageError` sends the message to the dead-letter topic and moves on; any other
 * throw leaves the message unacknowledged so it is delivered again.
 */
export type MessageHandler = (message: IncomingMessage) => Promise<void>;

/**
 * What the saga runtime needs from a broker: at-least-once delivery, order per key, a consumer
 * group sharing the work, and a dead-letter route.
 */
export interface SagaTransport {
  /** Creates the topics when the broker needs it, connects the producer. */
  connect(topics: readonly string[]): Promise<void>;
  publish(messages: readonly OutgoingMessage[]): Promise<void>;
  /** Starts consuming; resolves once the consumer is running. */
  consume(groupId: string, topics: readonly string[], handler: MessageHandler): Promise<void>;
  /** Stops consuming after the message in hand, committing what was processed. */
  stopConsuming(): Promise<void>;
  close(): Promise<void>;
  /**
   * Reads what `topic` holds now, without joining the service's consumer group or committing
   * anything (operators listing a dead-letter topic).
   */
  read(topic: string, options: ReadTopicOptions): Promise<StoredTopicMessage[]>;
  readonly connected: boolean;
}

export function deadLetterTopic(topic: string): string {
  return `${topic}.dlq`;
}
