import { setTimeout as sleep } from 'node:timers/promises';
import { DockerEngineClient } from '../engine/docker-engine.client';
import { SwarmService, SwarmServiceSpec } from '../engine/engine-api.interface';
import { SwarmSecretMissingError } from '../errors/swarm-secret-missing.error';
import { SwarmTimeoutError } from '../errors/swarm-timeout.error';
import { SwarmProgress, snapshot } from './swarm-progress';

export interface SwarmDeployerOptions {
  /** Default 1000 ms. */
  readonly pollIntervalMs?: number;
  /** Called on every poll; print only when it changed. */
  readonly onProgress?: (progress: SwarmProgress) => void;
  /** Called once when the deployer starts a rollback itself (its own deadline passed). */
  readonly onRollback?: (failed: SwarmProgress) => void;
}

export interface SwarmChange {
  readonly timeoutMs: number;
  /** Deadline of a rollback after a timed-out deploy. Default: timeoutMs. */
  readonly rollbackTimeoutMs?: number;
}

export type SwarmDeployOutcome =
  | { readonly result: 'converged'; readonly created: boolean; readonly progress: SwarmProgress }
  | {
      readonly result: 'rolled-back';
      /** `swarm`: a new task failed and Swarm's failure_action rolled back; `timeout`: ours. */
      readonly by: 'swarm' | 'timeout';
      readonly reason: string;
      /** The deploy as it stood when it failed. */
      readonly failed: SwarmProgress;
      /** The service after the rollback. */
      readonly progress: SwarmProgress;
    };

/**
 * Deploys, scales and rolls back one Swarm service through the Engine API and follows each change
 * task by task until every replica runs the wanted spec (healthy: a task with a health check is
 * only "running" once it passed). A deploy that has not settled by its deadline is rolled back
 * (Swarm's own rollback to the previous spec) and reported as such; one Swarm rolled back by
 * itself (a new task failed within the monitor window) is reported with Swarm's reason.
 */
export class SwarmDeployer {
  private readonly pollIntervalMs: number;

  constructor(
    private readonly client: DockerEngineClient,
    private readonly options: SwarmDeployerOptions = {},
  ) {
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
  }

  async deploy(wanted: SwarmServiceSpec, change: SwarmChange): Promise<SwarmDeployOutcome> {
    const spec = await this.withSecretIds(wanted);
    const startedAt = Date.now();
    const existing = await this.client.findService(spec.Name);
    if (!existing) {
      await this.client.createService(spec);
      const progress = await this.settle(spec.Name, startedAt, change.timeoutMs, () => false);
      if (!progress.settled) {
        throw new SwarmTimeoutError(
          'creation',
          progress.last,
          'a new service has no previous spec to roll back to: fix it and deploy again, or `docker service rm` it',
        );
      }
      return { result: 'converged', created: true, progress: progress.last };
    }
    await this.client.updateService(existing.ID, existing.Version.Index, spec);
    const followed = await this.settle(spec.Name, startedAt, change.timeoutMs, (service) =>
      isRollingBack(service, startedAt),
    );
    if (followed.settled) return { result: 'converged', created: false, progress: followed.last };
    const failed = followed.last;
    let by: 'swarm' | 'timeout' = 'swarm';
    let reason = failed.message ?? 'a new task failed';
    if (!followed.rollingBack) {
      by = 'timeout';
      reason = `not every replica ran the new spec within ${Math.round(change.timeoutMs / 1000)} s`;
      this.options.onRollback?.(failed);
      const current = await this.client.inspectService(spec.Name);
      await this.client.rollbackService(current.ID, current.Version.Index, current.Spec);
    }
    const rollbackStart = Date.now();
    const restored = await this.settle(
      spec.Name,
      rollbackStart,
      change.rollbackTimeoutMs ?? change.timeoutMs,
      () => false,
    );
    if (!restored.settled) {
      throw new SwarmTimeoutError(
        'the rollback',
        restored.last,
        'the service is as Swarm left it: see `docker service ps --no-trunc`',
      );
    }
    return { result: 'rolled-back', by, reason, failed, progress: restored.last };
  }

  /** Sets the replica count and waits until that many tasks run. */
  async scale(name: string, replicas: number, change: SwarmChange): Promise<SwarmProgress> {
    const service = await this.client.inspectService(name);
    const spec = { ...service.Spec, Mode: { Replicated: { Replicas: replicas } } };
    const startedAt = Date.now();
    await this.client.updateService(service.ID, service.Version.Index, spec);
    const followed = await this.settle(name, startedAt, change.timeoutMs, () => false);
    if (!followed.settled) {
      throw new SwarmTimeoutError(
        'scaling',
        followed.last,
        `Swarm keeps trying to run ${replicas}`,
      );
    }
    return followed.last;
  }

  /** Swarm's rollback to the service's previous spec, followed to the end. */
  async rollback(name: string, change: SwarmChange): Promise<SwarmProgress> {
    const service = await this.client.inspectService(name);
    if (!service.PreviousSpec) {
      throw new Error(`${name} has no previous spec to roll back to (it was never updated)`);
    }
    const startedAt = Date.now();
    await this.client.rollbackService(service.ID, service.Version.Index, service.Spec);
    const followed = await this.settle(name, startedAt, change.timeoutMs, () => false);
    if (!followed.settled) {
      throw new SwarmTimeoutError('the rollback', followed.last, 'Swarm is still rolling back');
    }
    return followed.last;
  }

  /**
   * Polls until the service's current spec runs on every replica and no update is under way, or
   * `stop` says to stop following (Swarm started rolling back), or the deadline passes.
   */
  private async settle(
    name: string,
    startedAt: number,
    timeoutMs: number,
    stop: (service: SwarmService) => boolean,
  ): Promise<{ settled: boolean; rollingBack: boolean; last: SwarmProgress }> {
    const deadline = startedAt + timeoutMs;
    for (;;) {
      const service = await this.client.inspectService(name);
      const tasks = await this.client.listTasks({ service: [service.ID] });
      const last = snapshot(name, service.Spec, tasks, startedAt, service.UpdateStatus);
      this.options.onProgress?.(last);
      if (stop(service)) return { settled: false, rollingBack: true, last };
      const busy = last.updateState === 'updating' || last.updateState === 'rollback_started';
      const extra = last.tasks.filter((task) => !task.current).length;
      if (
        !busy &&
        last.current === last.replicas &&
        extra === 0 &&
        last.running === last.replicas
      ) {
        return { settled: true, rollingBack: false, last };
      }
      if (Date.now() >= deadline) return { settled: false, rollingBack: false, last };
      await sleep(this.pollIntervalMs);
    }
  }

  /** The Engine API wants each secret's id beside its name (`docker stack deploy` looks it up too). */
  private async withSecretIds(spec: SwarmServiceSpec): Promise<SwarmServiceSpec> {
    const wanted = spec.TaskTemplate.ContainerSpec.Secrets ?? [];
    if (wanted.length === 0) return spec;
    const known = await this.client.listSecrets({ name: wanted.map((s) => s.SecretName) });
    const ids = new Map(known.map((secret) => [secret.Spec.Name, secret.ID]));
    const missing = wanted.filter((s) => !ids.has(s.SecretName)).map((s) => s.SecretName);
    if (missing.length > 0) throw new SwarmSecretMissingError(spec.Name, missing);
    const secrets = wanted.map((s) => ({ ...s, SecretID: ids.get(s.SecretName) }));
    return {
      ...spec,
      TaskTemplate: {
        ...spec.TaskTemplate,
        ContainerSpec: { ...spec.TaskTemplate.ContainerSpec, Secrets: secrets },
      },
    };
  }
}

/** A rollback of this update: an earlier one's status may still be on the service. */
function isRollingBack(service: SwarmService, since: number): boolean {
  const status = service.UpdateStatus;
  if (!status?.State.startsWith('rollback')) return false;
  // Swarm stamps the rollback's own start; allow for its clock being a second behind ours.
  return status.StartedAt === undefined || Date.parse(status.StartedAt) >= since - 1000;
}
