import { DockerEngineClient } from '../engine/docker-engine.client';
import { ContainerStatsSample, SwarmService } from '../engine/engine-api.interface';
import { SWARM_LABELS } from '../swarm.constants';

export interface SwarmTaskStatus {
  readonly slot: number;
  readonly taskId: string;
  readonly state: string;
  /** Docker's health of the task's container: healthy, unhealthy, starting, or none. */
  readonly health: string;
  readonly version: string;
  /** Percent of one CPU, as `docker stats` shows it. */
  readonly cpuPercent?: number;
  readonly memoryBytes?: number;
  readonly memoryLimitBytes?: number;
}

/** One row of the app list: instances "3 of 3", health, version, and every task's CPU and memory. */
export interface SwarmServiceStatus {
  readonly name: string;
  readonly version: string;
  readonly replicas: number;
  readonly running: number;
  readonly healthy: number;
  readonly updateState?: string;
  readonly tasks: readonly SwarmTaskStatus[];
}

/** The app list of the services Herd made (label io.herd.service), optionally of one stack. */
export async function swarmStatus(
  client: DockerEngineClient,
  filter: { readonly stack?: string; readonly name?: string } = {},
): Promise<SwarmServiceStatus[]> {
  const labels: string[] = [SWARM_LABELS.service];
  if (filter.stack) labels.push(`${SWARM_LABELS.stack}=${filter.stack}`);
  const services = filter.name
    ? [await client.inspectService(filter.name)]
    : await client.listServices({ label: labels });
  const statuses = await Promise.all(services.map((service) => serviceStatus(client, service)));
  return statuses.sort((a, b) => a.name.localeCompare(b.name));
}

async function serviceStatus(
  client: DockerEngineClient,
  service: SwarmService,
): Promise<SwarmServiceStatus> {
  const tasks = (await client.listTasks({ service: [service.ID], 'desired-state': ['running'] }))
    .filter((task) => task.DesiredState === 'running')
    .sort((a, b) => (a.Slot ?? 0) - (b.Slot ?? 0));
  const rows = await Promise.all(
    tasks.map(async (task): Promise<SwarmTaskStatus> => {
      const containerId = task.Status.ContainerStatus?.ContainerID;
      const base = {
        slot: task.Slot ?? 0,
        taskId: task.ID,
        state: task.Status.State,
        version: task.Spec.ContainerSpec.Labels?.[SWARM_LABELS.version] ?? '?',
      };
      if (!containerId || task.Status.State !== 'running') return { ...base, health: '-' };
      const [inspect, stats] = await Promise.all([
        client.inspectContainer(containerId).catch(() => undefined),
        client.containerStats(containerId).catch(() => undefined),
      ]);
      return {
        ...base,
        health: inspect?.State.Health?.Status ?? 'none',
        ...(stats ? usage(stats) : {}),
      };
    }),
  );
  return {
    name: service.Spec.Name,
    version: service.Spec.Labels?.[SWARM_LABELS.version] ?? '?',
    replicas: service.Spec.Mode.Replicated.Replicas,
    running: rows.filter((row) => row.state === 'running').length,
    healthy: rows.filter((row) => row.health === 'healthy').length,
    updateState: service.UpdateStatus?.State,
    tasks: rows,
  };
}

/** CPU as `docker stats` computes it (share of the host's CPU time × CPUs); memory minus page cache. */
export function usage(stats: ContainerStatsSample): {
  cpuPercent: number;
  memoryBytes?: number;
  memoryLimitBytes?: number;
} {
  const cpuDelta = stats.cpu_stats.cpu_usage.total_usage - stats.precpu_stats.cpu_usage.total_usage;
  const systemDelta =
    (stats.cpu_stats.system_cpu_usage ?? 0) - (stats.precpu_stats.system_cpu_usage ?? 0);
  const cpus = stats.cpu_stats.online_cpus ?? 1;
  const cpuPercent = systemDelta > 0 && cpuDelta > 0 ? (cpuDelta / systemDelta) * cpus * 100 : 0;
  const memory = stats.memory_stats;
  const cache = memory.stats?.total_inactive_file ?? memory.stats?.inactive_file ?? 0;
  return {
    cpuPercent,
    memoryBytes: memory.usage === undefined ? undefined : memory.usage - cache,
    memoryLimitBytes: memory.limit,
  };
}
