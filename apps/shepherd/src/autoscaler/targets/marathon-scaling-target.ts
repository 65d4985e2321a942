import { MARATHON_DEFAULTS, MarathonClient } from '@herd/marathon';
import { ScalingTarget, TargetAppStatus } from './scaling-target';

/**
 * Scales herd members on Marathon through @herd/marathon's client: an app's count is its
 * `instances`, a deployment is in flight while the app lists one, and a scale is
 * `PUT /v2/apps/{id}` with `{ instances }` (Marathon answers 409 while another deployment holds
 * the app: that decision is recorded as failed, and the in-flight guard waits for the next).
 */
export class MarathonScalingTarget implements ScalingTarget {
  readonly description: string;

  constructor(
    private readonly client: MarathonClient,
    private readonly groupId: string = MARATHON_DEFAULTS.groupId,
  ) {
    this.description = `Marathon at ${client.origin}`;
  }

  async status(app: string): Promise<TargetAppStatus | undefined> {
    const found = await this.client.findApp(this.appId(app));
    return found && { instances: found.instances ?? 0, inFlight: found.deployments.length > 0 };
  }

  async scaleTo(app: string, instances: number): Promise<void> {
    await this.client.updateApp(this.appId(app), { instances });
  }

  private appId(app: string): string {
    return `${this.groupId.replace(/\/$/, '')}/${app}`;
  }
}
