import { SagaError } from './saga.error';

/**
 * The broker refused this message or its topic (too large, topic missing, not allowed), as
 * opposed to being unreachable: the relay isolates the row, retries it with backoff and then
 * parks it in the dead-letter table, instead of holding every other row back.
 */
export class SagaPublishRefusedError extends SagaError {
  constructor(
    readonly reason: string,
    detail: string,
  ) {
    super(`${reason}: ${detail}`);
  }
}
