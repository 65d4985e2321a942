import { randomUUID } from 'node:crypto';
import type { SagaEnvelope } from '../core/saga-envelope';
import { SAGA_ENVELOPE_VERSION } from '../saga.constants';

/** A well-formed command envelope of `sagaId` for tests that write outbox rows by hand. */
export function testCommandEnvelope(
  sagaId: string,
  fields: Partial<Omit<SagaEnvelope, 'sagaId'>> = {},
): SagaEnvelope {
  return {
    envelope: SAGA_ENVELOPE_VERSION,
    id: randomUUID(),
    kind: 'command',
    type: 'test.command',
    sagaId,
    sagaType: 'test',
    definitionVersion: 1,
    timestamp: Date.now(),
    correlationId: sagaId,
    causationId: null,
    traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`,
    replyTo: 'nowhere',
    payload: null,
    ...fields,
  };
}
