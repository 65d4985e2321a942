import { DeploymentSnapshot } from '@herd/marathon';

/** One line per change of a deployment's state, so a CI log shows progress without noise. */
export class ProgressPrinter {
  private last = '';

  constructor(private readonly out: NodeJS.WritableStream) {}

  print(snapshot: DeploymentSnapshot): void {
    const step = snapshot.step
      ? `${snapshot.step.actions.join(', ') || 'waiting'} step ${snapshot.step.current}/${snapshot.step.total}`
      : 'deployment finished';
    const tasks = `new version ${snapshot.updatedHealthy}/${snapshot.instances} healthy, all ${snapshot.healthy} healthy, running ${snapshot.running}, staged ${snapshot.staged}${snapshot.unhealthy ? `, unhealthy ${snapshot.unhealthy}` : ''}`;
    const line = `${snapshot.appId} ${snapshot.deploymentId.slice(0, 8)}: ${step}; ${tasks}`;
    if (line === this.last) return;
    this.last = line;
    const elapsed = (snapshot.elapsedMs / 1000).toFixed(1).padStart(6);
    this.out.write(`  [${elapsed} s] ${line}\n`);
  }
}
