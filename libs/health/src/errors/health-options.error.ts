/** Misconfiguration found while the module boots: names the option key so the fix is obvious. */
export class HealthOptionsError extends Error {
  readonly retryable = false;

  constructor(
    readonly key: string,
    problem: string,
  ) {
    super(`HealthModule option "${key}" ${problem}`);
    this.name = 'HealthOptionsError';
  }
}
