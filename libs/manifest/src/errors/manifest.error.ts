/** A service manifest that no target could deploy: names the field so the fix is obvious. */
export class ManifestError extends Error {
  readonly retryable = false;

  constructor(
    readonly service: string,
    readonly field: string,
    readonly reason: string,
  ) {
    super(`service manifest "${service}": ${field} ${reason}`);
    this.name = 'ManifestError';
  }
}
