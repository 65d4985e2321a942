import { DeploymentSnapshot } from '../deploy/deployment-snapshot';

/**
 * Marathon never fails a deployment by itself: one whose new tasks never turn healthy (or never
 * find capacity) waits forever. Herd gives up at its own deadline with this error.
 */
export class DeploymentTimeoutError extends Error {
  readonly retryable = false;

  constructor(
    readonly snapshot: DeploymentSnapshot,
    readonly timeoutMs: number,
  ) {
    super(
      `deployment ${snapshot.deploymentId} of ${snapshot.appId} did not finish within ${Math.round(timeoutMs / 1000)} s (${snapshot.updatedHealthy} of ${snapshot.instances} instances of the new version healthy)`,
    );
    this.name = 'DeploymentTimeoutError';
  }
}
