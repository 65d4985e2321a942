import { Command, Option } from 'nest-commander';
import { MARATHON_LABELS, MarathonApp, MarathonClient } from '@herd/marathon';
import { formatTable } from '../text-table';
import { EXIT } from '../exit-codes';
import { HerdCommand, HerdCommandOptions } from '../herd.command';
import type { SwarmTarget } from '../swarm/swarm-target';

@Command({
  name: 'status',
  arguments: '[app-id|swarm-service]',
  description:
    'the app list: instances "3 of 3", health, version, cpu and memory (swarm: per task too)',
})
export class StatusCommand extends HerdCommand {
  protected async execute(
    [id]: string[],
    _options: HerdCommandOptions,
    client: MarathonClient,
  ): Promise<number> {
    const apps = id ? [await client.getApp(id)] : await client.listApps();
    this.out.write(
      formatTable(
        ['APP', 'INSTANCES', 'HEALTH', 'VERSION', 'CPU', 'MEM', 'DEPLOYMENT'],
        apps.map(row),
      ),
    );
    return EXIT.ok;
  }

  protected override executeSwarm(
    [name]: string[],
    options: HerdCommandOptions,
    target: SwarmTarget,
  ): Promise<number> {
    return target.status(name ? { name } : { stack: options.stack });
  }

  @Option({ flags: '--stack <name>', description: 'swarm: only this stack (default: all of Herd)' })
  parseStack(value: string): string {
    return value;
  }
}

function row(app: MarathonApp): string[] {
  const checked = (app.healthChecks ?? []).length > 0;
  const health = !checked
    ? 'no checks'
    : `${app.tasksHealthy} healthy${app.tasksUnhealthy ? `, ${app.tasksUnhealthy} unhealthy` : ''}`;
  return [
    app.id,
    `${app.tasksRunning} of ${app.instances}`,
    health,
    `${app.labels?.[MARATHON_LABELS.version] ?? '-'} (${app.version})`,
    String(app.cpus),
    `${app.mem} MB`,
    app.deployments.map((d) => d.id.slice(0, 8)).join(',') || '-',
  ];
}
