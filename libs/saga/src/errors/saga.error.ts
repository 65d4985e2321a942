/**
 * Root of every error @herd/saga throws, so callers can tell saga failures from others and decide
 * on `retryable` without knowing each subclass.
 */
export class SagaError extends Error {
  constructor(
    message: string,
    readonly retryable = false,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
