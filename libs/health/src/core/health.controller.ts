import { Controller, Get, Header, HttpStatus, Res } from '@nestjs/common';
import type { HealthCheckResult } from '@nestjs/terminus';
import type { Response } from 'express';
import { HEALTH_PATHS } from '../health.constants';
import { metricsContentType, metricsText } from '../metrics/herd-metrics';
import { HealthService, type HealthSummary } from './health.service';

/** `degraded` still serves: a shared server being down is reported, not a reason to be replaced. */
function statusOf(result: { status: string }): number {
  return result.status === 'ok' || result.status === 'degraded'
    ? HttpStatus.OK
    : HttpStatus.SERVICE_UNAVAILABLE;
}

/**
 * 200 when healthy, 503 with the failing part named otherwise: what Marathon's MESOS_HTTP
 * checks (200-399 healthy) and Consul's HTTP checks (2xx passing) both expect.
 */
@Controller(HEALTH_PATHS.controller)
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  async summary(@Res({ passthrough: true }) res: Response): Promise<HealthSummary> {
    const summary = await this.health.summary();
    res.status(statusOf(summary));
    return summary;
  }

  @Get(HEALTH_PATHS.live)
  @Header('Cache-Control', 'no-store')
  live(@Res({ passthrough: true }) res: Response): HealthCheckResult {
    const result = this.health.live();
    res.status(statusOf(result));
    return result;
  }

  @Get(HEALTH_PATHS.ready)
  @Header('Cache-Control', 'no-store')
  async ready(@Res({ passthrough: true }) res: Response): Promise<HealthCheckResult> {
    const result = await this.health.ready();
    res.status(statusOf(result));
    return result;
  }
}

@Controller()
export class MetricsController {
  @Get(HEALTH_PATHS.metrics)
  async metrics(@Res({ passthrough: true }) res: Response): Promise<string> {
    res.setHeader('Content-Type', metricsContentType());
    return metricsText();
  }
}
