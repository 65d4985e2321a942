import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
} from '@nestjs/common';
import { Observable, ReplaySubject } from 'rxjs';
import { AppScalingView, AutoscalerService } from '../autoscaler/autoscaler.service';
import { ShepherdConfig } from '../config/shepherd-config';
import { InstanceMetricsSource, InstanceUsage, MetricSample } from '../metrics/metric-sample';
import { hostPort } from '../metrics/scrape-metrics.source';
import { SagaStatesSource, ServiceSagaStates } from '../sagas/saga-states.source';
import {
  HERD_DIRECTORY,
  METRICS_SOURCE,
  SAGA_STATES_SOURCE,
  SHEPHERD_CONFIG,
} from '../shepherd.constants';
import { HerdDirectory, HerdInstance } from './herd-instance';
import {
  DeadLetterCount,
  HerdSnapshot,
  HistoryPoint,
  SagaCounts,
  ServiceView,
} from './herd-snapshot';

const MIB = 1024 * 1024;
const RECENT_DECISIONS = 30;

/**
 * The shepherd's heartbeat: every cycle it reads the herd (Consul), its usage (Prometheus or
 * /metrics), lets the autoscaler decide, and publishes one snapshot to the page.
 */
@Injectable()
export class HerdWatchService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(HerdWatchService.name);
  private readonly snapshots = new ReplaySubject<HerdSnapshot>(1);
  private readonly history: HistoryPoint[] = [];
  private lastHerd: HerdInstance[] = [];
  private latest?: HerdSnapshot;
  private timer?: NodeJS.Timeout;
  private running?: Promise<HerdSnapshot>;
  private stopped = false;

  constructor(
    @Inject(SHEPHERD_CONFIG) private readonly config: ShepherdConfig,
    @Inject(HERD_DIRECTORY) private readonly directory: HerdDirectory,
    @Inject(METRICS_SOURCE) private readonly metrics: InstanceMetricsSource,
    @Inject(SAGA_STATES_SOURCE) private readonly sagaStates: SagaStatesSource,
    private readonly autoscaler: AutoscalerService,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule(0);
  }

  onModuleDestroy(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** Every snapshot from now on, the last one first. */
  get changes(): Observable<HerdSnapshot> {
    return this.snapshots.asObservable();
  }

  /** The last snapshot, or a first one made now. */
  async current(): Promise<HerdSnapshot> {
    return this.latest ?? this.cycle();
  }

  /** One cycle now (also what the timer runs); concurrent callers share it. */
  cycle(): Promise<HerdSnapshot> {
    this.running ??= this.runCycle().finally(() => (this.running = undefined));
    return this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.cycle()
        .catch((error: Error) => this.logger.warn(`cycle failed: ${error.message}`))
        .finally(() => this.schedule(this.config.cycleMs));
    }, delayMs);
  }

  private async runCycle(): Promise<HerdSnapshot> {
    const at = Date.now();
    let error: string | undefined;
    try {
      this.lastHerd = await this.directory.instances();
    } catch (e) {
      error = `the herd could not be read: ${(e as Error).message}`;
    }
    const herd = this.lastHerd;
    const [usage, sagaStates] = await Promise.all([
      this.metrics.read(herd, this.autoscaler.backlogMetrics).catch((e: Error) => {
        error ??= `metrics could not be read: ${e.message}`;
        return new Map<string, InstanceUsage>();
      }),
      this.sagaStates.read(herd),
    ]);
    const scaling = error?.startsWith('the herd')
      ? []
      : await this.autoscaler.cycle(at, herd, usage);
    const decisions = await this.autoscaler.decisions({ acted: true, limit: RECENT_DECISIONS });
    this.remember(at, herd, scaling);
    const snapshot: HerdSnapshot = {
      at,
      sources: {
        herd: this.directory.description,
        metrics: this.metrics.description,
        target: this.autoscaler.targetDescription,
      },
      error,
      services: services(herd, usage, sagaStates, scaling),
      decisions: decisions.map((d) => ({
        app: d.app,
        at: d.decidedAt.toISOString(),
        action: d.action,
        cause: d.cause,
        outcome: d.outcome,
        fromInstances: d.fromInstances,
        toInstances: d.toInstances,
        reason: d.reason,
      })),
      history: [...this.history],
    };
    this.latest = snapshot;
    this.snapshots.next(snapshot);
    return snapshot;
  }

  private remember(
    at: number,
    herd: readonly HerdInstance[],
    scaling: readonly AppScalingView[],
  ): void {
    const instances: Record<string, number> = {};
    for (const i of herd)
      if (i.health === 'passing') instances[i.service] = (instances[i.service] ?? 0) + 1;
    const lag: Record<string, number> = {};
    const backlog: Record<string, number> = {};
    for (const s of scaling) {
      if (s.observation.lag !== undefined) lag[s.policy.app] = s.observation.lag;
      if (s.observation.backlog !== undefined) backlog[s.policy.app] = s.observation.backlog;
    }
    this.history.push({ at, instances, lag, backlog });
    while (this.history.length && this.history[0].at < at - this.config.historyMs)
      this.history.shift();
  }
}

function services(
  herd: readonly HerdInstance[],
  usage: ReadonlyMap<string, InstanceUsage>,
  sagaStates: ReadonlyMap<string, ServiceSagaStates>,
  scaling: readonly AppScalingView[],
): ServiceView[] {
  const names = [
    ...new Set([...herd.map((i) => i.service), ...scaling.map((s) => s.policy.app)]),
  ].sort();
  return names.map((name) => {
    const members = herd.filter((i) => i.service === name).sort((a, b) => a.id.localeCompare(b.id));
    const versions = [...new Set(members.map((i) => i.version))].sort(compareVersions);
    const samples = members.flatMap((i) => usage.get(i.id)?.saga ?? []);
    const scaled = scaling.find((s) => s.policy.app === name);
    return {
      name,
      versions: versions.map((version) => ({
        version,
        instances: members
          .filter((i) => i.version === version)
          .map((i) => {
            const u = usage.get(i.id);
            const base = `http://${hostPort(i.address, i.port)}`;
            return {
              ...i,
              cpuPercent: u?.cpuCores === undefined ? undefined : u.cpuCores * 100,
              memoryMb: u?.memoryBytes === undefined ? undefined : u.memoryBytes / MIB,
              links: { docs: `${base}/docs`, metrics: `${base}/metrics` },
            };
          }),
      })),
      sagas: sagaCounts(samples),
      sagaStates: sagaStates.get(name),
      deadLetters: deadLetters(samples),
      scaling: scaled && {
        minInstances: scaled.policy.minInstances,
        maxInstances: scaled.policy.maxInstances,
        instances: scaled.observation.instances,
        inFlight: scaled.observation.inFlight,
        cpuPercent: scaled.observation.cpuPercent,
        memoryPercent: scaled.observation.memoryPercent,
        lag: scaled.observation.lag,
        lagTargetPerInstance: scaled.policy.lag?.targetPerInstance,
        backlog: scaled.observation.backlog,
        backlogTargetPerInstance: scaled.policy.backlog?.targetPerInstance,
        decision: {
          action: scaled.decision.action,
          cause: scaled.decision.cause,
          outcome: scaled.outcome,
          reason: scaled.decision.reason,
          toInstances: scaled.decision.toInstances,
        },
      },
    };
  });
}

function sagaCounts(samples: readonly MetricSample[]): SagaCounts[] {
  const counts = new Map<
    string,
    { started: number; completed: number; compensated: number; failed: number }
  >();
  for (const s of samples) {
    const state = /^herd_saga_(started|completed|compensated|failed)_total$/.exec(s.name)?.[1] as
      'started' | 'completed' | 'compensated' | 'failed' | undefined;
    if (!state || !s.labels.saga) continue;
    const entry = counts.get(s.labels.saga) ?? {
      started: 0,
      completed: 0,
      compensated: 0,
      failed: 0,
    };
    entry[state] += s.value;
    counts.set(s.labels.saga, entry);
  }
  return [...counts].map(([saga, c]) => ({
    saga,
    ...c,
    running: Math.max(0, c.started - c.completed - c.compensated - c.failed),
  }));
}

function deadLetters(samples: readonly MetricSample[]): DeadLetterCount[] {
  const counts = new Map<string, DeadLetterCount>();
  for (const s of samples) {
    if (s.name !== 'herd_saga_dead_lettered_total') continue;
    const key = `${s.labels.topic}\u0000${s.labels.reason}`;
    const count = (counts.get(key)?.count ?? 0) + s.value;
    counts.set(key, { topic: s.labels.topic ?? '', reason: s.labels.reason ?? '', count });
  }
  return [...counts.values()];
}

function compareVersions(a: string, b: string): number {
  return a.localeCompare(b, undefined, { numeric: true });
}
