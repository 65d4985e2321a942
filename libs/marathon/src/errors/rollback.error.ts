import { DeploymentSnapshot } from '../deploy/deployment-snapshot';

/** A deployment timed out and no healthy earlier version could be restored. */
export class RollbackError extends Error {
  readonly retryable = false;

  constructor(
    readonly failed: DeploymentSnapshot,
    reason: string,
  ) {
    super(
      `deploy of ${failed.appId} timed out (${failed.updatedHealthy} of ${failed.instances} instances of the new version healthy) and was not rolled back: ${reason}`,
    );
    this.name = 'RollbackError';
  }
}
