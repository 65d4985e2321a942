import {
  DeploymentTimeoutError,
  MarathonAuthError,
  MarathonInvalidDefinitionError,
  MarathonLockedError,
  MarathonNotFoundError,
  MarathonRequestError,
  RollbackError,
} from '@herd/marathon';
import {
  DockerEngineError,
  DockerEngineUnreachableError,
  SwarmDefinitionError,
  SwarmSecretMissingError,
  SwarmTimeoutError,
} from '@herd/swarm';
import { UsageError } from './usage.error';

/** What `herd` exits with, so a CI pipeline can branch on the outcome (README: apps/cli). */
export const EXIT = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  invalidDefinition: 3,
  locked: 4,
  rolledBack: 5,
  timedOut: 6,
  unreachable: 7,
  unauthorized: 8,
  notFound: 9,
} as const;

export function exitCodeFor(error: unknown): number {
  if (error instanceof UsageError) return EXIT.usage;
  if (error instanceof MarathonInvalidDefinitionError) return EXIT.invalidDefinition;
  if (error instanceof MarathonLockedError) return EXIT.locked;
  if (error instanceof RollbackError || error instanceof DeploymentTimeoutError) {
    return EXIT.timedOut;
  }
  if (error instanceof MarathonAuthError) return EXIT.unauthorized;
  if (error instanceof MarathonNotFoundError) return EXIT.notFound;
  if (error instanceof MarathonRequestError) return EXIT.unreachable;
  return swarmExitCode(error);
}

function swarmExitCode(error: unknown): number {
  if (error instanceof SwarmDefinitionError || error instanceof SwarmSecretMissingError) {
    return EXIT.invalidDefinition;
  }
  if (error instanceof SwarmTimeoutError) return EXIT.timedOut;
  if (error instanceof DockerEngineUnreachableError) return EXIT.unreachable;
  if (error instanceof DockerEngineError) {
    if (error.notFound) return EXIT.notFound;
    // 400: the engine refused the spec; 409 a stale version, 503 not a swarm manager.
    if (error.status === 400) return EXIT.invalidDefinition;
    if (error.status === 409) return EXIT.locked;
    return EXIT.unreachable;
  }
  return EXIT.unexpected;
}
