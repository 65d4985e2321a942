export { SagaModule } from './saga.module';
export type { SAGA_ASYNC_OPTIONS_TYPE, SAGA_OPTIONS_TYPE } from './nest/saga.module-definition';
export { SAGA_MODULE_OPTIONS } from './nest/saga.module-definition';
export { SagaCommandHandler } from './nest/saga-command-handler.decorator';
export type { SagaCommandHandlerOptions } from './nest/saga-command-handler.decorator';
export { InjectSagaOrchestrator } from './nest/saga.decorators';
export { SagaHealthIndicator } from './nest/saga-health.indicator';
export { SagaRuntime } from './saga-runtime';
export { SagaOrchestrator } from './orchestrator/saga-orchestrator';
export { SagaReplier } from './participant/saga-replier';
export { deferReply, isDeferredReply, pendingCommand } from './participant/deferred-reply';
export type { DeferredReply, PendingCommand } from './participant/deferred-reply';
export { SAGA_ENTITIES } from './saga.entities';
export { SagaSchema1764201600000 } from './migrations/1764201600000-saga-schema';
export { SagaOutboxOrder1796083200000 } from './migrations/1796083200000-saga-outbox-order';
export { SagaDeadLetters1796086800000 } from './migrations/1796086800000-saga-dead-letters';
export { SagaHistory1796090400000 } from './migrations/1796090400000-saga-history';
export { SAGA_MIGRATIONS } from './migrations';
export { OutboxDeadLetterEntity } from './outbox/outbox-dead-letter.entity';
export { SagaDeadLetters } from './outbox/saga-dead-letters';
export type { DeadLetterView } from './outbox/saga-dead-letters';
export { SagaInstanceEntity } from './orchestrator/saga-instance.entity';
export { OutboxMessageEntity } from './outbox/outbox-message.entity';
export { InboxMessageEntity } from './inbox/inbox-message.entity';
export { defineSaga, SagaDefinitionBuilder } from './core/saga-definition.builder';
export type { LocalStepOptions, RemoteStepOptions } from './core/saga-definition.builder';
export type {
  CommandSpec,
  LocalStep,
  RemoteStep,
  RetryPolicy,
  SagaDefinition,
  SagaStep,
} from './core/saga-definition';
export { validatedBy } from './core/payload-schema';
export type { PayloadSchema } from './core/payload-schema';
export type { SagaEnvelope, SagaMessageKind, SagaReplyError } from './core/saga-envelope';
export { SAGA_STATES, TERMINAL_SAGA_STATES } from './core/saga-state';
export { SAGA_HISTORY_EVENTS } from './core/saga-history';
export type { SagaHistoryEventType } from './core/saga-history';
export type { SagaState } from './core/saga-state';
export { SAGA_HEADERS } from './saga.constants';
export type {
  SagaModuleOptions,
  SagaTransportOption,
} from './interfaces/saga-module-options.interface';
export type {
  SagaCommandContext,
  SagaCommandHandlerFn,
  SagaCommandHandlerRegistration,
} from './interfaces/saga-command-handler.interface';
export type {
  SagaDetailView,
  SagaHistoryEntry,
  SagaListQuery,
  SagaStateChange,
  SagaStateChangeListener,
  SagaView,
  StartSagaOptions,
} from './interfaces/saga-view.interface';
export type { OutboxRelayOptions } from './outbox/outbox-relay';
export type { RetentionOptions, RetentionResult } from './retention/retention-cleaner';
export { MemoryBroker } from './transport/memory/memory-broker';
export { MemorySagaTransport } from './transport/memory/memory-saga.transport';
export { KafkaSagaTransport } from './transport/kafka/kafka-saga.transport';
export type { KafkaSagaTransportOptions } from './transport/kafka/kafka-transport-options.interface';
export { deadLetterTopic } from './transport/saga-transport';
export type {
  IncomingMessage,
  MessageHandler,
  OutgoingMessage,
  ReadTopicOptions,
  SagaTransport,
  StoredTopicMessage,
} from './transport/saga-transport';
export { SagaDeadLetterTopics } from './transport/saga-dead-letter-topics';
export type { DeadLetteredMessage } from './transport/saga-dead-letter-topics';
export * from './errors';
