import { Command } from 'nest-commander';
import { MARATHON_LABELS, MarathonApp, MarathonClient } from '@herd/marathon';
import { formatTable } from '@herd/testing';
import { EXIT } from '../exit-codes';
import { MarathonCommand, MarathonCommandOptions } from '../marathon.command';

@Command({
  name: 'status',
  arguments: '[app-id]',
  description: 'the app list: instances "3 of 3", health, version, cpu and memory',
})
export class StatusCommand extends MarathonCommand {
  protected async execute(
    [id]: string[],
    _options: MarathonCommandOptions,
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
