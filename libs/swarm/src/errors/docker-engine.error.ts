/**
 * The Docker engine answered with an error: carries its HTTP status and its own message (the
 * Engine API's `{ "message": … }`), e.g. 404 for a service that does not exist, 409 for a name in
 * use or a stale service version, 503 when the node is not a swarm manager.
 */
export class DockerEngineError extends Error {
  readonly retryable: boolean;

  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly engineMessage: string,
  ) {
    super(`Docker engine: ${method} ${path} answered ${status}: ${engineMessage}`);
    this.name = 'DockerEngineError';
    // A stale version (another writer updated the service first) is worth one more read + write.
    this.retryable = status === 409 && /update out of sequence/i.test(engineMessage);
  }

  get notFound(): boolean {
    return this.status === 404;
  }
}
