import { DatabaseError } from './database.error';

/**
 * PostgreSQL refused a statement with SQLSTATE 42501 (insufficient_privilege): the service
 * touched a table, schema or database its role does not own, that is another service's data.
 * Services share data by ids and events, never by reaching into each other's tables.
 */
export class CrossServiceAccessError extends DatabaseError {
  readonly retryable = false;

  constructor(
    readonly service: string,
    readonly object: string,
    readonly owner: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(
      `Service '${service}' touched ${object}` +
        (owner
          ? `, owned by role "${owner}" (another service's data)`
          : ', which it does not own') +
        `: PostgreSQL refused it (42501 permission denied). Read it through that service's API or events.`,
      options,
    );
  }
}
