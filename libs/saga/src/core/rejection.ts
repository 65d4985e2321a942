import { SagaCommandRejectedError } from '../errors/saga-command-rejected.error';
import { SagaError } from '../errors/saga.error';

/** Error classes a handler or local step declares as business refusals, besides SagaCommandRejectedError. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type RejectionClasses = readonly (abstract new (...args: any[]) => Error)[];

/**
 * Only a declared refusal is an answer that may compensate. Anything else (a deadlock, a lost
 * connection, a full disk, a bug) is transient: the work is run again, never compensated.
 */
export function isRejection(error: unknown, rejects: RejectionClasses = []): boolean {
  return error instanceof SagaCommandRejectedError || rejects.some((c) => error instanceof c);
}

export function rejectionRetryable(error: unknown): boolean {
  return error instanceof SagaError && error.retryable;
}
