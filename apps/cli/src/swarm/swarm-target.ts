import {
  DockerEngineClient,
  SwarmChange,
  SwarmDeployer,
  SwarmDockerSocket,
  SwarmProgress,
  SwarmServiceOptions,
  SwarmServiceStatus,
  SwarmTaskStatus,
  buildServiceSpec,
  swarmServiceName,
  describeProgress,
  swarmStatus,
} from '@herd/swarm';
import { statSync } from 'node:fs';
import { ServiceManifest } from '@herd/manifest';
import { formatTable } from '../text-table';
import { seconds } from '../durations';
import { EXIT } from '../exit-codes';
import { UsageError } from '../usage.error';
import { shepherdManifest } from '../../../shepherd/src/shepherd.manifest';
import { HERD_STACK, herdShepherdMember, herdSwarmMembers } from './herd-swarm-stack';

/** What `herd deploy --target swarm` adds to a member's manifest (flags, see the CLI README). */
export interface SwarmDeployOptions {
  /** The stack the service belongs to: its name is `<stack>_<member>`. Default `herd`. */
  readonly stack?: string;
  /** Image tag and Consul `Meta.version`. Default: the manifest's version. */
  readonly version?: string;
  /** Default: what the service runs at now, else (a new service) the manifest's instances. */
  readonly replicas?: number;
  /** Over the manifest's env and this machine's (`HERD_CONSUL_URL`, `HERD_KAFKA_BROKERS`). */
  readonly env?: Readonly<Record<string, string>>;
  /** The address tasks bind and register. Default `HERD_BIND_HOST`, else every interface. */
  readonly host?: string;
  /** Host path of a manifest volume, by its container path. */
  readonly volumes?: Readonly<Record<string, string>>;
  readonly secretPrefix?: string;
}

/**
 * The same variables `docker/swarm/herd.stack.yml` reads from the shell that deploys it: where
 * this swarm's Consul and Kafka are (unset ones keep the manifest's values), and the address
 * tasks bind, `HERD_BIND_HOST` (127.0.0.1 keeps one node on loopback).
 */
function fromShell(shell: NodeJS.ProcessEnv): { env: Record<string, string>; host?: string } {
  const env: Record<string, string> = {};
  if (shell.HERD_CONSUL_URL) env.HERD_CONSUL_URL = shell.HERD_CONSUL_URL;
  if (shell.HERD_KAFKA_BROKERS) env.HERD_KAFKA_BROKERS = shell.HERD_KAFKA_BROKERS;
  return { env, host: shell.HERD_BIND_HOST || undefined };
}

/**
 * `herd … --target swarm`: the herd's members deployed, scaled and rolled back on a Docker swarm
 * through the Engine API, each change followed task by task (one line whenever it moves), and
 * the app list with every task's health, version, CPU and memory. Each method returns the exit
 * code; failures throw the typed errors `exitCodeFor` maps.
 */
export class SwarmTarget {
  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly err: NodeJS.WritableStream,
    private readonly pollIntervalMs: number,
    private readonly client = new DockerEngineClient(),
  ) {}

  /** Each named member in turn (none named: the whole herd); stops at the first that fails. */
  async deploy(
    names: readonly string[],
    options: SwarmDeployOptions,
    change: SwarmChange,
  ): Promise<number> {
    const { env: extraEnv, volumes, version, host, ...rest } = options;
    const shell = fromShell(process.env);
    const shared = {
      ...rest,
      stack: options.stack ?? HERD_STACK,
      env: { ...shell.env, ...extraEnv },
      host: host ?? shell.host,
      volumeSources: volumes,
    };
    const herd = herdSwarmMembers(shared);
    const known = [...herd.map((member) => member.manifest.name), shepherdManifest.name];
    const unknown = names.filter((name) => !known.includes(name));
    if (unknown.length) {
      throw new UsageError(
        `no herd member ${unknown.join(', ')}: the swarm target deploys ${known.join(', ')}`,
      );
    }
    const wanted = (name: string) => !names.length || names.includes(name);
    // The shepherd last, so its first cycle finds the herd it watches.
    const members = [
      ...herd.filter((member) => wanted(member.manifest.name)),
      ...(wanted(shepherdManifest.name) ? [herdShepherdMember(shared, this.socket())] : []),
    ];
    for (const member of members) {
      const manifest = version ? { ...member.manifest, version } : member.manifest;
      const spec = buildServiceSpec(manifest, {
        ...member.options,
        replicas: member.options.replicas ?? (await this.currentReplicas(manifest, member.options)),
      });
      const image = spec.TaskTemplate.ContainerSpec.Image;
      this.out.write(
        `herd: deploying ${spec.Name} (${image}, ${spec.Mode.Replicated.Replicas} replicas) to the swarm on ${this.client.socketPath}\n`,
      );
      const outcome = await this.deployer().deploy(spec, change);
      if (outcome.result === 'converged') {
        const done = outcome.progress;
        this.out.write(
          `herd: ${spec.Name} ${outcome.created ? 'created' : 'updated'}: ${done.current} of ${done.replicas} running version ${manifest.version}, healthy, in ${seconds(done.elapsedMs)}\n`,
        );
        continue;
      }
      const { failed, progress } = outcome;
      const restored = progress.tasks[0]?.version ?? '?';
      this.err.write(
        `herd: deploy of ${spec.Name} to version ${manifest.version} failed after ${seconds(failed.elapsedMs)}: ${outcome.reason}; ` +
          `rolled back by ${outcome.by === 'swarm' ? 'Swarm (update_config failure_action)' : 'herd (--timeout)'} to version ${restored}: ${progress.current} of ${progress.replicas} running\n`,
      );
      return EXIT.rolledBack;
    }
    return EXIT.ok;
  }

  async scale(service: string, replicas: number, change: SwarmChange): Promise<number> {
    this.out.write(`herd: scaling ${service} to ${replicas} replicas\n`);
    const done = await this.deployer().scale(service, replicas, change);
    this.out.write(
      `herd: ${service} scaled: ${done.running} of ${done.replicas} running in ${seconds(done.elapsedMs)}\n`,
    );
    return EXIT.ok;
  }

  async rollback(service: string, change: SwarmChange): Promise<number> {
    this.out.write(`herd: rolling ${service} back to its previous spec\n`);
    const done = await this.deployer().rollback(service, change);
    this.out.write(
      `herd: ${service} rolled back to version ${done.tasks[0]?.version ?? '?'}: ${done.running} of ${done.replicas} running in ${seconds(done.elapsedMs)}\n`,
    );
    return EXIT.ok;
  }

  /** The talk's app list: a row per service ("3 of 3", health, version), one per task below it. */
  async status(filter: { stack?: string; name?: string }): Promise<number> {
    const services = await swarmStatus(this.client, filter);
    const rows = services.flatMap((service) => [
      serviceRow(service),
      ...service.tasks.map((task) => taskRow(service, task)),
    ]);
    this.out.write(
      formatTable(['SERVICE', 'INSTANCES', 'HEALTH', 'VERSION', 'CPU', 'MEM', 'UPDATE'], rows),
    );
    return EXIT.ok;
  }

  /**
   * A new version keeps the replica count the service runs at (a `scale`, the shepherd's
   * autoscaler): only `--replicas` changes it. A new service starts at the manifest's.
   */
  private async currentReplicas(
    manifest: ServiceManifest,
    options: SwarmServiceOptions,
  ): Promise<number | undefined> {
    const existing = await this.client.findService(swarmServiceName(manifest, options));
    return existing?.Spec.Mode.Replicated.Replicas;
  }

  /**
   * The engine's socket and its group as this machine sees them, for the shepherd's task: the CLI
   * talks to a manager's engine over this socket, and the shepherd is placed on a manager.
   */
  private socket(): SwarmDockerSocket {
    const hostPath = this.client.socketPath;
    return { hostPath, gid: statSync(hostPath).gid };
  }

  private deployer(): SwarmDeployer {
    let last = '';
    return new SwarmDeployer(this.client, {
      pollIntervalMs: this.pollIntervalMs,
      onProgress: (progress: SwarmProgress) => {
        const line = describeProgress(progress);
        if (line === last) return;
        last = line;
        this.out.write(`  [${(progress.elapsedMs / 1000).toFixed(1).padStart(6)} s] ${line}\n`);
      },
      onRollback: (failed) =>
        this.out.write(
          `herd: ${failed.service} did not converge within --timeout (${failed.current} of ${failed.replicas} on the new spec): rolling back\n`,
        ),
    });
  }
}

function serviceRow(service: SwarmServiceStatus): string[] {
  const cpu = service.tasks.reduce((sum, task) => sum + (task.cpuPercent ?? 0), 0);
  const memory = service.tasks.reduce((sum, task) => sum + (task.memoryBytes ?? 0), 0);
  const unhealthy = service.tasks.filter((task) => task.health === 'unhealthy').length;
  return [
    service.name,
    `${service.running} of ${service.replicas}`,
    `${service.healthy} healthy${unhealthy ? `, ${unhealthy} unhealthy` : ''}`,
    service.version,
    `${cpu.toFixed(1)} %`,
    megabytes(memory),
    service.updateState ?? '-',
  ];
}

function taskRow(service: SwarmServiceStatus, task: SwarmTaskStatus): string[] {
  return [
    `  ${service.name}.${task.slot} ${task.taskId.slice(0, 12)}`,
    task.state,
    task.health,
    task.version,
    task.cpuPercent === undefined ? '-' : `${task.cpuPercent.toFixed(1)} %`,
    task.memoryBytes === undefined
      ? '-'
      : `${megabytes(task.memoryBytes)}${task.memoryLimitBytes ? ` / ${megabytes(task.memoryLimitBytes)}` : ''}`,
    '',
  ];
}

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MB`;
}
