/** A service reads Docker secrets that do not exist yet: Swarm would refuse it, so Herd says which. */
export class SwarmSecretMissingError extends Error {
  readonly retryable = false;

  constructor(
    readonly service: string,
    readonly secrets: readonly string[],
  ) {
    super(
      `${service} reads Docker secrets that do not exist: ${secrets.join(', ')}; create each with \`printf %s "$VALUE" | docker secret create <name> -\``,
    );
    this.name = 'SwarmSecretMissingError';
  }
}
