import { DatabaseError } from './database.error';

/** An event could not be applied to a read model (bad key or version): a bug, not a transient. */
export class ProjectionError extends DatabaseError {
  readonly retryable = false;

  constructor(
    readonly projection: string,
    problem: string,
  ) {
    super(`Projection '${projection}': ${problem}`);
  }
}
