import { SagaError } from '../errors/saga.error';
import type { SagaEnvelope } from '../core/saga-envelope';

const DEFERRED_REPLY = Symbol.for('herd:saga:deferred-reply');

/** Returned by a command handler that accepted the command and will answer it later. */
export interface DeferredReply {
  readonly [DEFERRED_REPLY]: true;
}

/**
 * What a handler returns to accept a command without answering it: the inbox id still commits
 * with the handler's writes, no reply is written, and the consumer moves on. The handler keeps
 * `pendingCommand(envelope)` in its own rows (same transaction) and answers later with
 * `SagaReplier`. The step's `timeoutMs` runs from the command's sending to that answer.
 */
export function deferReply(): DeferredReply {
  return { [DEFERRED_REPLY]: true };
}

export function isDeferredReply(value: unknown): value is DeferredReply {
  return typeof value === 'object' && value !== null && DEFERRED_REPLY in value;
}

/** The part of a command needed to answer it: plain JSON, to keep in the participant's rows. */
export type PendingCommand = Pick<
  SagaEnvelope,
  | 'id'
  | 'type'
  | 'sagaId'
  | 'sagaType'
  | 'definitionVersion'
  | 'correlationId'
  | 'traceparent'
  | 'replyTo'
>;

export function pendingCommand(command: SagaEnvelope): PendingCommand {
  const { id, type, sagaId, sagaType, definitionVersion, correlationId, traceparent, replyTo } =
    command;
  return { id, type, sagaId, sagaType, definitionVersion, correlationId, traceparent, replyTo };
}

/** A stored pending command read back from a database column: refuse what cannot be answered. */
export function assertPendingCommand(value: unknown): asserts value is PendingCommand {
  const v = (value ?? {}) as Record<string, unknown>;
  const missing = ['id', 'type', 'sagaId', 'sagaType', 'correlationId', 'traceparent', 'replyTo']
    .filter((key) => typeof v[key] !== 'string' || v[key] === '')
    .concat(Number.isInteger(v.definitionVersion) ? [] : ['definitionVersion']);
  if (missing.length > 0) {
    throw new SagaError(`not a pending saga command (missing ${missing.join(', ')})`);
  }
}
