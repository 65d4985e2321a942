/** Metadata key set by `@SagaCommandHandler()` on participant methods. */
export const SAGA_COMMAND_HANDLER_METADATA = 'herd:saga:command-handler';

/** Kafka headers the lib writes; tooling can route or inspect messages without decoding the value. */
export const SAGA_HEADERS = {
  messageId: 'herd-message-id',
  messageType: 'herd-message-type',
  sagaId: 'herd-saga-id',
  traceparent: 'traceparent',
  dlqReason: 'herd-dlq-reason',
  dlqDetail: 'herd-dlq-detail',
  dlqOriginalTopic: 'herd-dlq-original-topic',
  dlqOriginalPartition: 'herd-dlq-original-partition',
  dlqOriginalOffset: 'herd-dlq-original-offset',
  /** On a message replayed from a dead-letter topic: the entry it came from. */
  dlqReplayedFrom: 'herd-dlq-replayed-from',
} as const;

export const SAGA_DEFAULTS = {
  stepTimeoutMs: 30_000,
  retryMaxAttempts: 1,
  retryBackoffMs: 500,
  compensationMaxAttempts: 5,
  compensationBackoffMs: 1_000,
  relayBatchSize: 500,
  relayPollIntervalMs: 1_000,
  relayErrorBackoffMs: 1_000,
  relayMaxAttempts: 5,
  outboxLeaseMs: 10_000,
  timeoutCheckIntervalMs: 1_000,
  retentionIntervalMs: 60_000,
  sentOutboxRetentionMs: 60 * 60_000,
  inboxRetentionMs: 7 * 24 * 60 * 60_000,
  partitionsConsumedConcurrently: 3,
  transientInitialBackoffMs: 100,
  transientMaxBackoffMs: 5_000,
  heartbeatIntervalMs: 3_000,
  sessionTimeoutMs: 30_000,
  memoryRedeliveryBackoffMs: 100,
  healthMaxOutboxLagMs: 60_000,
  topicReadTimeoutMs: 30_000,
  deadLetterListLimit: 100,
} as const;

export const SAGA_ENVELOPE_VERSION = 1;
