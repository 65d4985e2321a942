import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleDestroy,
} from '@nestjs/common';
import { access, constants } from 'node:fs/promises';
import {
  DiskHealthIndicator,
  HealthIndicatorService,
  type HealthCheckResult,
} from '@nestjs/terminus';
import {
  HEALTH_DEFAULTS,
  HEALTH_INDICATOR_KEYS,
  HEALTH_RESOLVED_OPTIONS,
} from '../health.constants';
import { databaseIndicator } from '../indicators/database.indicator';
import { EventLoopLagMonitor } from '../indicators/event-loop-lag.monitor';
import { KafkaConsumerHealthIndicator } from '../indicators/kafka-consumer-health.indicator';
import type { NamedReadinessIndicator } from '../interfaces/health-module-options.interface';
import { buildInfo, ensureDefaultMetrics, indicatorUp } from '../metrics/herd-metrics';
import { ShutdownState } from '../shutdown/shutdown-state';
import { ReadinessMonitor } from './readiness-monitor';
import { diskKey, type ResolvedHealthOptions } from './resolve-health-options';

export interface HealthSummary {
  /** `degraded`: live and ready, but a shared server it depends on (`dependencies`) is down. */
  readonly status: 'ok' | 'degraded' | 'error' | 'shutting_down';
  readonly service: string;
  readonly version: string;
  readonly instance: string;
  readonly uptimeSeconds: number;
  readonly live: HealthCheckResult;
  readonly ready: HealthCheckResult;
  /** Shared servers this instance can serve without for a while; never part of `ready`. */
  readonly dependencies: HealthCheckResult;
}

/** Liveness, readiness and their summary; owns the background checks and the lag monitor. */
@Injectable()
export class HealthService
  implements OnApplicationBootstrap, OnModuleDestroy, OnApplicationShutdown
{
  private readonly logger = new Logger('HerdHealth');
  private readonly lag = new EventLoopLagMonitor(HEALTH_DEFAULTS.eventLoopWindowMs);
  private readonly up = indicatorUp();
  private readonly monitor: ReadinessMonitor;
  private readonly dependencyMonitor: ReadinessMonitor;
  private readonly startedAt = Date.now();

  constructor(
    @Inject(HEALTH_RESOLVED_OPTIONS) private readonly options: ResolvedHealthOptions,
    private readonly shutdown: ShutdownState,
    private readonly indicators: HealthIndicatorService,
    private readonly disk: DiskHealthIndicator,
    private readonly kafka: KafkaConsumerHealthIndicator,
  ) {
    this.monitor = new ReadinessMonitor(() => this.readinessIndicators(), {
      intervalMs: options.checkIntervalMs,
      timeoutMs: options.checkTimeoutMs,
      onResult: (result, previous) => this.record('not ready', result, previous),
    });
    this.dependencyMonitor = new ReadinessMonitor(() => options.dependencies, {
      intervalMs: options.checkIntervalMs,
      timeoutMs: options.checkTimeoutMs,
      onResult: (result, previous) => this.record('degraded', result, previous),
    });
    ensureDefaultMetrics();
    buildInfo().set(
      { service: options.service, version: options.version, instance_id: options.instanceId },
      1,
    );
    // Liveness is meaningful from the first request, not only after bootstrap.
    this.lag.start();
  }

  onApplicationBootstrap(): void {
    this.monitor.start();
    this.dependencyMonitor.start();
  }

  onModuleDestroy(): void {
    this.shutdown.begin();
    this.monitor.stop();
    this.dependencyMonitor.stop();
  }

  onApplicationShutdown(): void {
    this.monitor.stop();
    this.dependencyMonitor.stop();
    this.lag.stop();
  }

  live(): HealthCheckResult {
    const key = HEALTH_INDICATOR_KEYS.eventLoop;
    const lagMs = Math.round(this.lag.lagMs());
    const max = this.options.maxEventLoopLagMs;
    const check = this.indicators.check(key);
    const entry =
      lagMs > max ? check.down({ lagMs, maxLagMs: max }) : check.up({ lagMs, maxLagMs: max });
    const down = entry[key].status === 'down';
    return {
      status: down ? 'error' : 'ok',
      info: down ? {} : entry,
      error: down ? entry : {},
      details: entry,
    };
  }

  /** 503-worthy from the very moment shutdown begins, whatever the last check said. */
  async ready(): Promise<HealthCheckResult> {
    if (this.shutdown.isShuttingDown) return this.shuttingDown();
    const result = await this.monitor.current();
    return this.shutdown.isShuttingDown ? this.shuttingDown() : result;
  }

  async summary(): Promise<HealthSummary> {
    const live = this.live();
    const [ready, dependencies] = await Promise.all([
      this.ready(),
      this.dependencyMonitor.current(),
    ]);
    const status =
      ready.status === 'shutting_down'
        ? 'shutting_down'
        : live.status !== 'ok' || ready.status !== 'ok'
          ? 'error'
          : dependencies.status === 'ok'
            ? 'ok'
            : 'degraded';
    return {
      status,
      service: this.options.service,
      version: this.options.version,
      instance: this.options.instanceId,
      uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000),
      live,
      ready,
      dependencies,
    };
  }

  private shuttingDown(): HealthCheckResult {
    const key = HEALTH_INDICATOR_KEYS.shutdown;
    const entry = this.indicators
      .check(key)
      .down({ message: `instance is shutting down (${this.shutdown.reason})` });
    return { status: 'shutting_down', info: {}, error: entry, details: entry };
  }

  private readinessIndicators(): NamedReadinessIndicator[] {
    const { dataSource, mediaFolders, readiness } = this.options;
    return [
      ...(dataSource ? [databaseIndicator(dataSource, this.indicators)] : []),
      ...mediaFolders.map((folder) => {
        const key = diskKey(folder.path);
        return {
          name: key,
          check: async () => {
            // check-disk-space reports the parent disk of a missing folder: test the folder first.
            const problem = await access(folder.path, constants.R_OK | constants.W_OK).then(
              () => undefined,
              (error: NodeJS.ErrnoException) => `${error.code ?? 'error'}: not a writable folder`,
            );
            if (problem) return this.indicators.check(key).down({ message: problem });
            return this.disk.checkStorage(key, {
              path: folder.path,
              thresholdPercent: folder.maxUsedRatio,
            });
          },
        };
      }),
      ...this.kafka.indicators(),
      ...readiness,
    ];
  }

  private record(
    state: 'not ready' | 'degraded',
    result: HealthCheckResult,
    previous?: HealthCheckResult,
  ): void {
    const service = this.options.service;
    for (const [key, value] of Object.entries(result.details)) {
      this.up.set({ service, indicator: key }, value.status === 'up' ? 1 : 0);
    }
    const failing = Object.keys(result.error ?? {});
    const before = Object.keys(previous?.error ?? {});
    if (failing.join() === before.join()) return;
    if (failing.length > 0) {
      this.logger.warn(
        `${state}: ${failing
          .map((key) => `${key} (${String(result.error?.[key]?.message ?? 'down')})`)
          .join(', ')}`,
      );
    } else if (previous) {
      this.logger.log(state === 'not ready' ? 'ready again' : 'dependencies up again');
    }
  }
}
