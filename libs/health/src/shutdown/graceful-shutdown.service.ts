import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { HEALTH_RESOLVED_OPTIONS } from '../health.constants';
import type { ResolvedHealthOptions } from '../core/resolve-health-options';
import { InFlightTracker } from './in-flight-tracker';
import { ShutdownState } from './shutdown-state';

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * The "drain" phase of the Herd shutdown contract: keep serving for `graceMs` so balancers see
 * the 503, wait up to `drainTimeoutMs` for in-flight requests, then close keep-alive sockets so
 * Nest's server.close() does not wait for idle clients.
 */
@Injectable()
export class GracefulShutdownService
  implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  private readonly logger = new Logger('HerdShutdown');
  private readonly flip = (signal: NodeJS.Signals): void => this.state.begin(`received ${signal}`);
  private hooked = false;

  constructor(
    private readonly state: ShutdownState,
    private readonly tracker: InFlightTracker,
    private readonly adapterHost: HttpAdapterHost,
    @Inject(HEALTH_RESOLVED_OPTIONS) private readonly options: ResolvedHealthOptions,
  ) {}

  onApplicationBootstrap(): void {
    // Nest runs onModuleDestroy of global modules last; when the app enabled shutdown hooks
    // (a signal listener exists) readiness flips on the signal itself, before any other hook.
    // Without that listener adding ours would swallow the signal's default exit, so we don't.
    for (const signal of SIGNALS) {
      if (process.listenerCount(signal) > 0) {
        process.prependListener(signal, this.flip);
        this.hooked = true;
      }
    }
  }

  async beforeApplicationShutdown(signal?: string): Promise<void> {
    this.state.begin(signal ? `received ${signal}` : undefined);
    const { graceMs, drainTimeoutMs } = this.options;
    this.logger.log(
      `draining: readiness is 503, serving ${graceMs}ms more, then up to ${drainTimeoutMs}ms for ${this.tracker.inFlight} in-flight request(s)`,
    );
    if (graceMs > 0) await sleep(graceMs);
    const idle = await this.tracker.whenIdle(drainTimeoutMs);
    const server = this.httpServer();
    if (idle) {
      server?.closeIdleConnections?.();
      return;
    }
    this.logger.warn(
      `drain deadline of ${drainTimeoutMs}ms passed with ${this.tracker.inFlight} request(s) in flight: closing their connections`,
    );
    server?.closeAllConnections?.();
  }

  onApplicationShutdown(): void {
    if (!this.hooked) return;
    for (const signal of SIGNALS) process.removeListener(signal, this.flip);
    this.hooked = false;
  }

  private httpServer(): Server | undefined {
    const adapter = this.adapterHost?.httpAdapter;
    const server: unknown = adapter?.getHttpServer?.();
    return server && typeof (server as Server).closeIdleConnections === 'function'
      ? (server as Server)
      : undefined;
  }
}
