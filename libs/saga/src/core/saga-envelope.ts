import { randomFillSync } from 'node:crypto';
import { PoisonMessageError } from '../errors/poison-message.error';
import { SAGA_ENVELOPE_VERSION } from '../saga.constants';

export type SagaMessageKind = 'command' | 'reply';

export interface SagaReplyError {
  readonly message: string;
  readonly retryable: boolean;
}

/** What travels on the wire, JSON-encoded as the Kafka value. */
export interface SagaEnvelope {
  readonly envelope: number;
  readonly id: string;
  readonly kind: SagaMessageKind;
  readonly type: string;
  readonly sagaId: string;
  readonly sagaType: string;
  readonly definitionVersion: number;
  /** Epoch milliseconds when the message was created. */
  readonly timestamp: number;
  readonly correlationId: string;
  readonly causationId: string | null;
  /** W3C trace context of the saga, carried unchanged through every hop. */
  readonly traceparent: string;
  /** Commands only: the topic the participant must reply to. */
  readonly replyTo?: string;
  /** Replies only. */
  readonly outcome?: 'success' | 'failure';
  readonly error?: SagaReplyError;
  readonly payload: unknown;
}

/** 24 random bytes a traceparent, taken from a pool filled 128 at a time (as randomUUID does). */
const TRACE_BYTES = 24;
const entropy = Buffer.alloc(TRACE_BYTES * 128);
let entropyOffset = entropy.length;

/** A fresh W3C `traceparent` (version 00, sampled) for a saga started without one. */
export function newTraceparent(): string {
  if (entropyOffset === entropy.length) {
    // One call into the CSPRNG per 128 sagas: a call per saga cost more than its other hex work.
    randomFillSync(entropy);
    entropyOffset = 0;
  }
  const at = entropyOffset;
  entropyOffset += TRACE_BYTES;
  return `00-${entropy.toString('hex', at, at + 16)}-${entropy.toString('hex', at + 16, at + TRACE_BYTES)}-01`;
}

const TRACEPARENT = /^[\da-f]{2}-[\da-f]{32}-[\da-f]{16}-[\da-f]{2}$/;

export function isTraceparent(value: unknown): value is string {
  return typeof value === 'string' && TRACEPARENT.test(value);
}

export function encodeEnvelope(envelope: SagaEnvelope): string {
  return JSON.stringify(envelope);
}

/** Strict decode: anything that is not a well-formed envelope is poison. */
export function decodeEnvelope(raw: Buffer | string | null): SagaEnvelope {
  if (raw === null) throw new PoisonMessageError('undecodable', 'message has no value');
  let value: unknown;
  try {
    value = JSON.parse(raw.toString());
  } catch (error) {
    throw new PoisonMessageError('undecodable', `value is not JSON: ${(error as Error).message}`);
  }
  const problems = envelopeProblems(value);
  if (problems.length > 0) {
    throw new PoisonMessageError('undecodable', `not a saga envelope: ${problems.join(', ')}`);
  }
  return value as SagaEnvelope;
}

function envelopeProblems(value: unknown): string[] {
  if (typeof value !== 'object' || value === null) return ['not an object'];
  const v = value as Record<string, unknown>;
  const problems: string[] = [];
  const str = (key: string) => {
    if (typeof v[key] !== 'string' || v[key] === '') problems.push(`${key} must be a string`);
  };
  if (v.envelope !== SAGA_ENVELOPE_VERSION)
    problems.push(`envelope must be ${SAGA_ENVELOPE_VERSION}`);
  ['id', 'type', 'sagaId', 'sagaType', 'correlationId'].forEach(str);
  if (v.kind !== 'command' && v.kind !== 'reply') problems.push('kind must be command|reply');
  if (!Number.isInteger(v.definitionVersion)) problems.push('definitionVersion must be an integer');
  if (typeof v.timestamp !== 'number') problems.push('timestamp must be a number');
  if (!isTraceparent(v.traceparent)) problems.push('traceparent must be W3C trace context');
  if (v.causationId !== null && typeof v.causationId !== 'string') {
    problems.push('causationId must be a string or null');
  }
  if (v.kind === 'command' && typeof v.replyTo !== 'string') problems.push('replyTo is required');
  if (v.kind === 'reply' && v.outcome !== 'success' && v.outcome !== 'failure') {
    problems.push('outcome must be success|failure');
  }
  return problems;
}
