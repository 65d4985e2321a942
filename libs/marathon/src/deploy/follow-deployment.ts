import { setTimeout as sleep } from 'node:timers/promises';
import { MarathonClient } from '../client/marathon-client';
import { MarathonApp, MarathonDeployment } from '../definitions/marathon-app.interface';
import { DeploymentTimeoutError } from '../errors/deployment-timeout.error';
import { MarathonRequestError } from '../errors/marathon-request.error';
import { MARATHON_DEFAULTS } from '../marathon.constants';
import { DeploymentSnapshot } from './deployment-snapshot';

export interface FollowOptions {
  /** Herd's own deadline: Marathon would wait forever. */
  readonly timeoutMs: number;
  /** Default 1000 ms. */
  readonly pollIntervalMs?: number;
  readonly onProgress?: (snapshot: DeploymentSnapshot) => void;
}

/**
 * Polls until the deployment has left /v2/deployments and as many tasks are healthy as the app
 * asks for; throws DeploymentTimeoutError at the deadline. A poll Marathon does not answer
 * (leader election, restart) is retried until then.
 */
export async function followDeployment(
  client: MarathonClient,
  appId: string,
  deploymentId: string,
  options: FollowOptions,
): Promise<DeploymentSnapshot> {
  const started = Date.now();
  let last: DeploymentSnapshot | undefined;
  for (;;) {
    try {
      const [deployments, app] = await Promise.all([
        client.listDeployments(),
        client.getApp(appId),
      ]);
      last = snapshotOf(
        app,
        deploymentId,
        deployments.find((d) => d.id === deploymentId),
        started,
      );
      options.onProgress?.(last);
      if (!last.step && last.healthy === last.instances && last.running === last.instances)
        return last;
    } catch (error) {
      if (!(error instanceof MarathonRequestError && error.retryable)) throw error;
    }
    if (Date.now() - started >= options.timeoutMs) {
      throw new DeploymentTimeoutError(
        last ?? {
          appId,
          deploymentId,
          elapsedMs: Date.now() - started,
          version: '?',
          instances: 0,
          staged: 0,
          running: 0,
          healthy: 0,
          unhealthy: 0,
          updatedHealthy: 0,
        },
        options.timeoutMs,
      );
    }
    await sleep(options.pollIntervalMs ?? MARATHON_DEFAULTS.pollIntervalMs);
  }
}

function snapshotOf(
  app: MarathonApp,
  deploymentId: string,
  deployment: MarathonDeployment | undefined,
  started: number,
): DeploymentSnapshot {
  const checked = (app.healthChecks ?? []).length > 0;
  return {
    appId: app.id,
    deploymentId,
    elapsedMs: Date.now() - started,
    step: deployment && {
      current: deployment.currentStep,
      total: deployment.totalSteps,
      actions: deployment.currentActions.map((a) => a.action),
    },
    version: app.version,
    instances: app.instances,
    staged: app.tasksStaged,
    running: app.tasksRunning,
    healthy: checked ? app.tasksHealthy : app.tasksRunning,
    unhealthy: app.tasksUnhealthy,
    updatedHealthy: (app.tasks ?? []).filter(
      (task) =>
        task.version >= app.versionInfo.lastConfigChangeAt &&
        task.state === 'TASK_RUNNING' &&
        (!checked ||
          (task.healthCheckResults?.length && task.healthCheckResults.every((r) => r.alive))),
    ).length,
  };
}
