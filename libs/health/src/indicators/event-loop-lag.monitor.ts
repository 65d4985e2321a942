import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/**
 * Largest event-loop delay seen in the last completed window. A blocked loop cannot answer
 * /health/live at all, so what liveness can report is the lag of the window that just ended.
 */
export class EventLoopLagMonitor {
  private histogram?: IntervalHistogram;
  private timer?: NodeJS.Timeout;
  private lastWindowMaxMs = 0;

  constructor(private readonly windowMs: number) {}

  start(): void {
    if (this.histogram) return;
    this.histogram = monitorEventLoopDelay({ resolution: 10 });
    this.histogram.enable();
    this.timer = setInterval(() => this.closeWindow(), this.windowMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.histogram?.disable();
    this.histogram = undefined;
    this.timer = undefined;
  }

  /** Milliseconds; 0 until the first window closes. */
  lagMs(): number {
    return this.lastWindowMaxMs;
  }

  private closeWindow(): void {
    if (!this.histogram) return;
    // The histogram includes its own sampling resolution; max is in nanoseconds.
    this.lastWindowMaxMs = this.histogram.count > 0 ? this.histogram.max / 1e6 : 0;
    this.histogram.reset();
  }
}
