import type { EntityManager } from 'typeorm';
import type { PayloadSchema } from './payload-schema';
import type { RejectionClasses } from './rejection';

export interface RetryPolicy {
  /** Total attempts including the first one. */
  readonly maxAttempts: number;
  /** Wait before resending after a retryable failure reply. */
  readonly backoffMs: number;
}

export interface CommandSpec<D> {
  /** Kafka topic (or memory topic) the participant consumes. */
  readonly channel: string;
  /** Message type the participant's handler is registered for. */
  readonly command: string;
  readonly payload: (data: D) => unknown;
}

/** A compensation command: how long to wait for its reply and how often to try. */
export interface CompensationSpec<D> extends CommandSpec<D> {
  readonly timeoutMs: number;
}

export interface RemoteStep<D> {
  readonly kind: 'remote';
  readonly name: string;
  readonly invoke: CommandSpec<D>;
  /** Folds the participant's success reply into the saga data. */
  readonly onReply?: (data: D, reply: unknown) => D;
  /** Validates the success reply's payload; an invalid reply goes to the dead-letter topic. */
  readonly replySchema?: PayloadSchema<unknown>;
  readonly compensation?: CompensationSpec<D>;
  /**
   * No reply within this time counts as a failure of unknown outcome. Counted from the moment the
   * command is written to the outbox: time spent waiting there and in the participant's queue is
   * part of it.
   */
  readonly timeoutMs: number;
  readonly retry: RetryPolicy;
  /** Attempts and backoff of the compensation, separate from the command's. */
  readonly compensationRetry: RetryPolicy;
}

export interface LocalStep<D> {
  readonly kind: 'local';
  readonly name: string;
  /**
   * Runs in the orchestrator's transaction (a savepoint). A refusal (SagaCommandRejectedError or a
   * class in `rejects`) starts compensation; any other throw is transient: the transaction that
   * ran it rolls back and the reply or deadline behind it is handled again.
   */
  readonly run: (data: D, manager: EntityManager) => Promise<D | void> | D | void;
  readonly rejects?: RejectionClasses;
  readonly compensate?: (data: D, manager: EntityManager) => Promise<void> | void;
  readonly retry: RetryPolicy;
  readonly compensationRetry: RetryPolicy;
}

export type SagaStep<D> = RemoteStep<D> | LocalStep<D>;

export interface SagaDefinition<D = unknown> {
  readonly name: string;
  readonly version: number;
  readonly steps: readonly SagaStep<D>[];
  readonly dataSchema?: PayloadSchema<D>;
}
