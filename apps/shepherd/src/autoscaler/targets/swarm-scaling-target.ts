import { DockerEngineClient } from '@herd/swarm';
import { ScalingTarget, TargetAppStatus } from './scaling-target';

const UPDATING = new Set(['updating', 'rollback_started']);

/**
 * Scales herd members on Docker Swarm through @herd/swarm's Engine API client: an app's count is
 * its service's replicas; it is in flight while Swarm updates or rolls the service back, or while
 * fewer tasks run than it asks for (a scale has no update status of its own); a scale rewrites
 * the replicas at the spec version it read (the engine refuses a stale one with 409).
 */
export class SwarmScalingTarget implements ScalingTarget {
  readonly description: string;

  constructor(
    private readonly engine: DockerEngineClient,
    /** `docker stack deploy`'s stack name: services are `<stack>_<app>`. */
    private readonly stack?: string,
  ) {
    this.description = `Swarm on ${engine.socketPath}${stack ? ` (stack ${stack})` : ''}`;
  }

  async status(app: string): Promise<TargetAppStatus | undefined> {
    const service = await this.engine.findService(this.serviceName(app));
    if (!service) return undefined;
    const replicas = service.Spec.Mode.Replicated.Replicas;
    const tasks = await this.engine.listTasks({
      service: [service.ID],
      'desired-state': ['running'],
    });
    const running = tasks.filter((t) => t.Status.State === 'running').length;
    const updating = UPDATING.has(service.UpdateStatus?.State ?? '');
    return { instances: replicas, inFlight: updating || running !== replicas };
  }

  async scaleTo(app: string, instances: number): Promise<void> {
    const service = await this.engine.inspectService(this.serviceName(app));
    await this.engine.updateService(service.ID, service.Version.Index, {
      ...service.Spec,
      Mode: { Replicated: { Replicas: instances } },
    });
  }

  private serviceName(app: string): string {
    return this.stack ? `${this.stack}_${app}` : app;
  }
}
