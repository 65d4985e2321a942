import type { HealthCheckResult } from '@nestjs/terminus';
import type { NamedReadinessIndicator } from '../interfaces/health-module-options.interface';
import { runIndicators } from './run-indicators';

export interface ReadinessMonitorOptions {
  readonly intervalMs: number;
  readonly timeoutMs: number;
  /** Called after every run, with the previous result (undefined on the first run). */
  readonly onResult?: (result: HealthCheckResult, previous?: HealthCheckResult) => void;
}

/**
 * Runs readiness indicators in the background and keeps the latest result, so Consul, Marathon
 * and balancers polling /health/ready never multiply the load on the database or Kafka admin.
 * A failure shows within one interval plus one timeout.
 */
export class ReadinessMonitor {
  private latest?: HealthCheckResult;
  private running?: Promise<HealthCheckResult>;
  private timer?: NodeJS.Timeout;
  private stopped = true;

  constructor(
    private readonly indicators: () => readonly NamedReadinessIndicator[],
    private readonly options: ReadinessMonitorOptions,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.tick();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** The latest result; runs the checks now if none has completed yet. */
  current(): Promise<HealthCheckResult> {
    return this.latest ? Promise.resolve(this.latest) : this.runOnce();
  }

  runOnce(): Promise<HealthCheckResult> {
    this.running ??= runIndicators(this.indicators(), this.options.timeoutMs).then((result) => {
      const previous = this.latest;
      this.latest = result;
      this.running = undefined;
      this.options.onResult?.(result, previous);
      return result;
    });
    return this.running;
  }

  private async tick(): Promise<void> {
    await this.runOnce();
    if (this.stopped) return;
    // Chained, not setInterval: a slow check never overlaps the next one.
    this.timer = setTimeout(() => void this.tick(), this.options.intervalMs);
    this.timer.unref();
  }
}
