export const SAGA_HISTORY_EVENTS = [
  /** A step's command was written to the outbox (a timeout's resend keeps its message id). */
  'command-sent',
  /** A step's compensation was written to the outbox. */
  'compensation-sent',
  /** The reply to the awaited command or compensation arrived (`outcome`, `detail` = error). */
  'reply-received',
  /** The awaited command or compensation did not answer within its timeout. */
  'timed-out',
  /** A refused attempt is sent again after the policy's backoff (`detail` says when). */
  'retry-scheduled',
  /** A local step ran in the orchestrator's transaction (`outcome`, `detail` = refusal). */
  'local-step-ran',
  /** A local step's compensation ran (`outcome`, `detail` = error). */
  'local-compensation-ran',
  /** Operator actions (`detail` = the reason given to cancel). */
  'cancelled',
  'resumed',
  'retried',
  /** Terminal states reached (`detail` = the failure reason, if any). */
  'completed',
  'compensated',
  'failed',
] as const;

export type SagaHistoryEventType = (typeof SAGA_HISTORY_EVENTS)[number];

/** One entry of a saga's step history, stored with its instance in the transaction that made it. */
export interface SagaHistoryRecord {
  /** Epoch milliseconds. */
  readonly at: number;
  readonly type: SagaHistoryEventType;
  /** The step it concerns; null for a saga-level event (no step left to run or compensate). */
  readonly step: string | null;
  readonly attempt?: number;
  readonly messageId?: string;
  /** Command type of a sent command or compensation. */
  readonly command?: string;
  readonly outcome?: 'success' | 'failure';
  readonly detail?: string;
}
