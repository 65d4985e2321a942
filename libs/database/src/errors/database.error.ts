/**
 * Root of every error @herd/database throws, so callers can tell a database-layer failure from
 * their own and know whether trying again later can help.
 */
export abstract class DatabaseError extends Error {
  abstract readonly retryable: boolean;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}
