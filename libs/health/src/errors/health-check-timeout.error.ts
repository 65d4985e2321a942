/** An indicator did not answer within `checkTimeoutMs`: treated as down, worth retrying later. */
export class HealthCheckTimeoutError extends Error {
  readonly retryable = true;

  constructor(
    readonly indicator: string,
    readonly timeoutMs: number,
  ) {
    super(`health indicator "${indicator}" did not answer within ${timeoutMs}ms`);
    this.name = 'HealthCheckTimeoutError';
  }
}
