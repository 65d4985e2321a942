import { randomUUID } from 'node:crypto';
import { SAGA_ENVELOPE_VERSION } from '../saga.constants';
import type { SagaEnvelope, SagaReplyError } from '../core/saga-envelope';
import type { PendingCommand } from './deferred-reply';

/** The reply to `command`, whether written right away by the dispatcher or later by a replier. */
export function replyEnvelope(
  command: PendingCommand,
  outcome: 'success' | 'failure',
  payload: unknown,
  error?: SagaReplyError,
): SagaEnvelope {
  return {
    envelope: SAGA_ENVELOPE_VERSION,
    id: randomUUID(),
    kind: 'reply',
    type: `${command.type}.reply`,
    sagaId: command.sagaId,
    sagaType: command.sagaType,
    definitionVersion: command.definitionVersion,
    timestamp: Date.now(),
    correlationId: command.correlationId,
    causationId: command.id,
    traceparent: command.traceparent,
    outcome,
    ...(error ? { error } : {}),
    payload,
  };
}
