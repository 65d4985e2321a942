import { DatabaseError } from './database.error';

/**
 * In production a service's role must own its own database (or schema) and nothing else may
 * reach it: a superuser, a database owned by another role, or one PUBLIC can connect to means
 * another service's code could read or change this service's data. Names the service, the
 * setting to change and the SQL that fixes it.
 */
export class DatabaseOwnershipError extends DatabaseError {
  readonly retryable = false;

  constructor(
    readonly service: string,
    readonly problems: readonly string[],
    setting: string,
    fix: readonly string[],
  ) {
    super(
      `Service '${service}' must own its data in production, but ${problems.join('; ')}. ` +
        `Point ${setting} at the service's own role and its own database or schema` +
        (fix.length ? `, or run as a superuser:\n${fix.map((s) => `  ${s}`).join('\n')}` : '.'),
    );
  }
}
