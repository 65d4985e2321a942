import { DatabaseError } from './database.error';

/**
 * Another instance held the migration lock longer than allowed (a stuck migration, or a peer that
 * died mid-run while its session stayed open); retrying the boot later is safe.
 */
export class MigrationLockTimeoutError extends DatabaseError {
  readonly retryable = true;

  constructor(
    readonly service: string,
    readonly waitedMs: number,
  ) {
    super(
      `Service '${service}' waited ${waitedMs} ms for the migration lock held by another instance; ` +
        `check pg_locks for a stuck migration or raise "migrationLockTimeoutMs"`,
    );
  }
}
