/** Where a deployment stands at one poll: what the CLI prints as progress. */
export interface DeploymentSnapshot {
  readonly appId: string;
  readonly deploymentId: string;
  readonly elapsedMs: number;
  /** Undefined once the deployment has left /v2/deployments. */
  readonly step?: {
    readonly current: number;
    readonly total: number;
    readonly actions: readonly string[];
  };
  /** The version the app is moving to. */
  readonly version: string;
  readonly instances: number;
  readonly staged: number;
  readonly running: number;
  /** Healthy tasks (running ones for an app without health checks). */
  readonly healthy: number;
  readonly unhealthy: number;
  /** Healthy tasks launched with the app's current configuration: the new version's share. */
  readonly updatedHealthy: number;
}
