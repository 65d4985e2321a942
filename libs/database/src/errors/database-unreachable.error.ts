import { errorMessage } from '../core/error-message';
import { DatabaseError } from './database.error';

/** The server did not accept connections within the bounded boot retry; the instance may retry. */
export class DatabaseUnreachableError extends DatabaseError {
  readonly retryable = true;

  constructor(
    readonly service: string,
    readonly target: string,
    readonly attempts: number,
    options?: { cause?: unknown },
  ) {
    const reason = options?.cause === undefined ? '' : `: ${errorMessage(options.cause)}`;
    super(
      `Database for service '${service}' at ${target} unreachable after ${attempts} attempt(s)${reason}`,
      options,
    );
  }
}
