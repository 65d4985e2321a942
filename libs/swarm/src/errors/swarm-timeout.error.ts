import type { SwarmProgress } from '../deploy/swarm-progress';

/**
 * A change did not settle in time and nothing could be rolled back to (a new service, a scale, a
 * rollback that itself timed out): the service is left as Swarm has it, and the message says so.
 */
export class SwarmTimeoutError extends Error {
  readonly retryable = false;

  constructor(
    readonly what: string,
    readonly progress: SwarmProgress,
    hint: string,
  ) {
    super(
      `${what} of ${progress.service} did not settle within ${Math.round(progress.elapsedMs / 1000)} s (${progress.current} of ${progress.replicas} running on the new spec${progress.message ? `; Swarm: ${progress.message}` : ''}); ${hint}`,
    );
    this.name = 'SwarmTimeoutError';
  }
}
