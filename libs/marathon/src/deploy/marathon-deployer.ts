import { MarathonClient } from '../client/marathon-client';
import { MarathonApp, MarathonAppDefinition } from '../definitions/marathon-app.interface';
import { validateAppDefinition } from '../definitions/validate-app-definition';
import { DeploymentTimeoutError } from '../errors/deployment-timeout.error';
import { MarathonInvalidDefinitionError } from '../errors/marathon-invalid-definition.error';
import { MarathonNotFoundError } from '../errors/marathon-not-found.error';
import { RollbackError } from '../errors/rollback.error';
import { MARATHON_STATUS_FIELDS } from '../marathon.constants';
import { DeploymentSnapshot } from './deployment-snapshot';
import { followDeployment } from './follow-deployment';

export interface DeployerOptions {
  readonly pollIntervalMs?: number;
  readonly onProgress?: (snapshot: DeploymentSnapshot) => void;
  /** Called once when a timed-out deploy starts rolling back. */
  readonly onRollback?: (failed: DeploymentSnapshot, toVersion: string) => void;
}

export interface ChangeRequest {
  /** Herd's deadline for the deployment to end healthy. */
  readonly timeoutMs: number;
  /** Cancel the deployment that holds the app's lock (409) and go ahead. */
  readonly force?: boolean;
  /** Deadline of the automatic rollback after a timed-out deploy. Default: timeoutMs. */
  readonly rollbackTimeoutMs?: number;
}

export type DeployOutcome =
  | { readonly result: 'healthy'; readonly created: boolean; readonly snapshot: DeploymentSnapshot }
  | {
      readonly result: 'rolled-back';
      readonly failed: DeploymentSnapshot;
      readonly restoredVersion: string;
      readonly snapshot: DeploymentSnapshot;
    };

/** How many older versions `rollback` inspects to find the last other configuration. */
const MAX_VERSIONS_SCANNED = 20;

/**
 * Deploys, scales, restarts and rolls back Marathon apps, following each deployment to a healthy
 * end. A deploy that does not end healthy in time is rolled back to the version the app had
 * before, at the instance count it had before: a rollback never leaves fewer instances running.
 */
export class MarathonDeployer {
  constructor(
    private readonly client: MarathonClient,
    private readonly options: DeployerOptions = {},
  ) {}

  async deploy(definition: MarathonAppDefinition, request: ChangeRequest): Promise<DeployOutcome> {
    const violations = validateAppDefinition(definition);
    if (violations.length) throw new MarathonInvalidDefinitionError('local', violations);
    const before = await this.client.findApp(definition.id);
    const started = before
      ? await this.client.updateApp(definition.id, definition, { force: request.force })
      : await this.client.createApp(definition);
    try {
      const snapshot = await this.follow(definition.id, started.deploymentId, request);
      return { result: 'healthy', created: !before, snapshot };
    } catch (error) {
      if (!(error instanceof DeploymentTimeoutError)) throw error;
      if (!before) {
        throw new RollbackError(error.snapshot, 'the app is new, there is no earlier version');
      }
      return this.rollBackFailed(error.snapshot, before, request);
    }
  }

  async scale(id: string, instances: number, request: ChangeRequest): Promise<DeploymentSnapshot> {
    const started = await this.client.updateApp(id, { instances }, { force: request.force });
    return this.follow(id, started.deploymentId, request);
  }

  async restart(id: string, request: ChangeRequest): Promise<DeploymentSnapshot> {
    const started = await this.client.restartApp(id, { force: request.force });
    return this.follow(id, started.deploymentId, request);
  }

  /**
   * Restores `to`, or else the newest version whose configuration (not only its scale) differs
   * from the current one, keeping the current instance count.
   */
  async rollback(
    id: string,
    request: ChangeRequest & { readonly to?: string },
  ): Promise<{ readonly version: string; readonly snapshot: DeploymentSnapshot }> {
    const app = await this.client.getApp(id);
    const version = request.to ?? (await this.previousConfiguration(app));
    const snapshot = await this.restore(app, version, app.instances, request);
    return { version, snapshot };
  }

  private async rollBackFailed(
    failed: DeploymentSnapshot,
    before: MarathonApp,
    request: ChangeRequest,
  ): Promise<DeployOutcome> {
    const versions = await this.client.listVersions(before.id);
    if (!versions.includes(before.version)) {
      throw new RollbackError(failed, `version ${before.version} is no longer kept by Marathon`);
    }
    this.options.onRollback?.(failed, before.version);
    try {
      // Our own deployment is the one stuck on the lock: force is what unsticks it.
      const snapshot = await this.restore(before, before.version, before.instances, {
        timeoutMs: request.rollbackTimeoutMs ?? request.timeoutMs,
        force: true,
      });
      return { result: 'rolled-back', failed, restoredVersion: before.version, snapshot };
    } catch (error) {
      if (error instanceof DeploymentTimeoutError) {
        throw new RollbackError(
          failed,
          `the rollback to ${before.version} did not end healthy either (${error.snapshot.updatedHealthy} of ${error.snapshot.instances} healthy)`,
        );
      }
      throw error;
    }
  }

  private async restore(
    app: MarathonApp,
    version: string,
    instances: number,
    request: ChangeRequest,
  ): Promise<DeploymentSnapshot> {
    const target = await this.client.getVersion(app.id, version);
    const definition = { ...withoutStatus(target), instances };
    const started = await this.client.updateApp(app.id, definition, { force: request.force });
    return this.follow(app.id, started.deploymentId, request);
  }

  private async previousConfiguration(app: MarathonApp): Promise<string> {
    const current = app.versionInfo.lastConfigChangeAt;
    const versions = (await this.client.listVersions(app.id)).filter((v) => v < current);
    for (const version of versions.slice(0, MAX_VERSIONS_SCANNED)) {
      const candidate = await this.client.getVersion(app.id, version);
      if (candidate.versionInfo.lastConfigChangeAt < current) return version;
    }
    throw new MarathonNotFoundError('GET', `/v2/apps${app.id}/versions`, {
      message: `App '${app.id}' has no earlier configuration to roll back to`,
    });
  }

  private follow(id: string, deploymentId: string, request: ChangeRequest) {
    return followDeployment(this.client, id, deploymentId, {
      timeoutMs: request.timeoutMs,
      pollIntervalMs: this.options.pollIntervalMs,
      onProgress: this.options.onProgress,
    });
  }
}

/** A stored version as PUT accepts it: the definition without Marathon's read-only status fields. */
export function withoutStatus(app: MarathonApp): MarathonAppDefinition {
  const definition: Record<string, unknown> = { ...app };
  for (const field of MARATHON_STATUS_FIELDS) delete definition[field];
  return definition as unknown as MarathonAppDefinition;
}
