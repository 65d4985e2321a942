import type { Admin, Consumer } from 'kafkajs';

export interface KafkaSagaTransportOptions {
  readonly brokers: readonly string[];
  /** Default: `herd-saga`. */
  readonly clientId?: string;
  /** Partitions for topics this lib creates. Default: the broker's `num.partitions`. */
  readonly numPartitions?: number;
  /**
   * Create missing topics (commands and their compensations, replies, dead letters) at start;
   * `false` checks they exist and fails the start naming the missing ones. Default: true.
   */
  readonly createTopics?: boolean;
  /** Partitions handled in parallel; order is kept inside a partition. Default: 3. */
  readonly partitionsConsumedConcurrently?: number;
  /** Default: 30000. */
  readonly sessionTimeoutMs?: number;
  /** Also the heartbeat period during a long handler. Default: 3000. */
  readonly heartbeatIntervalMs?: number;
  /** How long a fetch waits for data; lower = lower latency, more requests. Default: 100. */
  readonly maxWaitTimeInMs?: number;
  /**
   * Called with the consumer before it joins its group, and a connected admin client, so a health
   * indicator can watch its real membership and lag (@herd/health's KafkaConsumerProbe). The
   * function it returns, if any, runs when consuming stops. Default: none.
   */
  readonly watchConsumer?: (consumer: Consumer, admin: Admin) => (() => void) | void;
}
