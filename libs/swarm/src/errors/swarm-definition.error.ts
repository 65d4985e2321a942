/** A manifest + options that this swarm could not run as asked: names the option and why. */
export class SwarmDefinitionError extends Error {
  readonly retryable = false;

  constructor(
    readonly service: string,
    readonly field: string,
    readonly reason: string,
  ) {
    super(`swarm service "${service}": ${field} ${reason}`);
    this.name = 'SwarmDefinitionError';
  }
}
