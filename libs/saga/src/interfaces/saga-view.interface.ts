import type { SagaHistoryRecord } from '../core/saga-history';
import type { SagaState } from '../core/saga-state';

/** Read model of one saga instance, for operators and the web view. */
export interface SagaView {
  readonly id: string;
  readonly sagaType: string;
  readonly definitionVersion: number;
  readonly state: SagaState;
  /** Name of the step running, compensating or failed; null once COMPLETED/COMPENSATED. */
  readonly currentStep: string | null;
  readonly attempt: number;
  readonly data: unknown;
  readonly failureReason: string | null;
  readonly correlationId: string;
  readonly traceparent: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** One entry of a saga's step history. */
export interface SagaHistoryEntry extends Omit<SagaHistoryRecord, 'at'> {
  readonly at: Date;
}

/** A saga with its step history: commands sent, replies, timeouts, compensations, operator actions. */
export interface SagaDetailView extends SagaView {
  /** Oldest first. */
  readonly history: readonly SagaHistoryEntry[];
}

export interface SagaListQuery {
  readonly state?: SagaState;
  readonly sagaType?: string;
  /** Default 100, at most 1000. */
  readonly limit?: number;
  readonly offset?: number;
}

export interface StartSagaOptions {
  /** Write the instance and its first command in this transaction (the transaction seam). */
  readonly manager?: import('typeorm').EntityManager;
  /** Default: a random UUID. */
  readonly sagaId?: string;
  /** Default: the saga id. */
  readonly correlationId?: string;
  /** W3C trace context to continue; default: a new trace. */
  readonly traceparent?: string;
}

export interface SagaStateChange {
  readonly sagaId: string;
  readonly sagaType: string;
  readonly from: SagaState;
  readonly to: SagaState;
}

export type SagaStateChangeListener = (change: SagaStateChange) => void;
