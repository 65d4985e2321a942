import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { HEALTH_RESOLVED_OPTIONS } from '../health.constants';
import type { ResolvedHealthOptions } from '../core/resolve-health-options';
import { InFlightTracker } from '../shutdown/in-flight-tracker';
import { ShutdownState } from '../shutdown/shutdown-state';
import { httpInFlight, httpRequestDuration } from './herd-metrics';

const UNMATCHED_ROUTE = 'unmatched';
const CATCH_ALL = /^\/?\{?\*[A-Za-z0-9_]*\}?$/;

/**
 * Times every request into the route/method/status histogram and counts it in flight for the
 * shutdown drain. Route is the matched pattern (`/items/:id`), never the raw URL, to bound
 * label cardinality. While shutting down, responses carry `Connection: close` so keep-alive
 * clients reconnect elsewhere instead of reusing a socket that is about to close.
 */
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  private readonly duration = httpRequestDuration();
  private readonly inFlightGauge = httpInFlight();

  constructor(
    private readonly tracker: InFlightTracker,
    private readonly shutdown: ShutdownState,
    @Inject(HEALTH_RESOLVED_OPTIONS) private readonly options: ResolvedHealthOptions,
  ) {}

  use(req: Request, res: Response, next: NextFunction): void {
    const started = process.hrtime.bigint();
    const leave = this.tracker.enter();
    const service = this.options.service;
    this.inFlightGauge.inc({ service });
    if (this.shutdown.isShuttingDown) res.setHeader('Connection', 'close');
    res.once('finish', () => {
      const path: unknown = req.route?.path;
      // Nest mounts global middleware as catch-all routes: when one of those is the last route
      // seen, no handler matched (a 404 must not mint one label per URL).
      const matched = typeof path === 'string' && !CATCH_ALL.test(path);
      const route = matched ? `${req.baseUrl ?? ''}${path}` : UNMATCHED_ROUTE;
      this.duration.observe(
        { service, method: req.method, route, status_code: String(res.statusCode) },
        Number(process.hrtime.bigint() - started) / 1e9,
      );
    });
    res.once('close', () => {
      leave();
      this.inFlightGauge.dec({ service });
    });
    next();
  }
}
