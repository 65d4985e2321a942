/** Nothing answers on the engine's socket: dockerd is not running, or the socket is elsewhere. */
export class DockerEngineUnreachableError extends Error {
  readonly retryable = true;

  constructor(
    readonly socketPath: string,
    cause: Error,
  ) {
    super(
      `Docker engine: nothing answers on ${socketPath} (${cause.message}); start dockerd or set DOCKER_HOST=unix:///path/to/docker.sock`,
      { cause },
    );
    this.name = 'DockerEngineUnreachableError';
  }
}
