import type { HealthIndicatorFunction } from '@nestjs/terminus';
import type { DataSource } from 'typeorm';

/** An extra readiness check: a terminus indicator function, optionally named for failures it throws. */
export type ReadinessIndicator = HealthIndicatorFunction | NamedReadinessIndicator;

export interface NamedReadinessIndicator {
  /** Key used in the 503 body when the check throws or times out instead of returning a result. */
  readonly name: string;
  readonly check: HealthIndicatorFunction;
}

export interface MediaFolderOption {
  readonly path: string;
  /** Readiness fails when the disk holding `path` is fuller than this ratio (0..1). Default 0.9. */
  readonly maxUsedRatio?: number;
}

export interface HealthShutdownOptions {
  /**
   * How long to keep serving after readiness turned 503, so Consul/Marathon/balancers notice
   * and stop routing here before connections close. Default 3000 ms.
   */
  readonly graceMs?: number;
  /** Upper bound for in-flight HTTP requests to finish after the grace period. Default 10000 ms. */
  readonly drainTimeoutMs?: number;
}

/** Where JSON log lines go; anything with pino's `write(line)`. Default: stdout. */
export interface LogDestination {
  write(line: string): unknown;
}

export interface HealthLoggingOptions {
  /** pino level. Default 'info'. */
  readonly level?: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly destination?: LogDestination;
}

export interface HealthModuleOptions {
  /** Service name carried by every log line and `herd_build_info`. Required. */
  readonly service: string;
  /** Service version. Default `process.env.npm_package_version`, else '0.0.0'. */
  readonly version?: string;
  /** This instance's id. Default `<hostname>-<pid>`. */
  readonly instanceId?: string;
  /** Readiness indicators run in the background at this period (ms). Default 5000. */
  readonly checkIntervalMs?: number;
  /** One indicator slower than this (ms) counts as down. Default 2000. */
  readonly checkTimeoutMs?: number;
  /** Liveness fails when the largest event-loop delay of the last second exceeds it (ms). Default 1000. */
  readonly maxEventLoopLagMs?: number;
  /** TypeORM DataSource pinged (`SELECT 1`) by readiness under the key `database`. */
  readonly dataSource?: DataSource;
  /** Folders whose disk must have room (`disk:<path>` keys). Strings use the default ratio. */
  readonly mediaFolders?: ReadonlyArray<string | MediaFolderOption>;
  /** Extra readiness indicators (e.g. from @herd/saga): what this instance needs to serve. */
  readonly readiness?: readonly ReadinessIndicator[];
  /**
   * Shared servers this instance uses but can serve without for a while (e.g. @herd/registry's
   * Consul indicator: lookups are served from cache). Checked in the background like readiness,
   * shown on `/health` (status `degraded`) and in `herd_health_indicator_up`, but never make
   * `/health/ready` answer 503: one shared server's outage must not take every instance out.
   */
  readonly dependencies?: readonly ReadinessIndicator[];
  readonly shutdown?: HealthShutdownOptions;
  readonly logging?: HealthLoggingOptions;
}
