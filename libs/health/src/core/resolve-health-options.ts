import { hostname } from 'node:os';
import { HEALTH_DEFAULTS, HEALTH_INDICATOR_KEYS } from '../health.constants';
import { HealthOptionsError } from '../errors/health-options.error';
import type {
  HealthLoggingOptions,
  HealthModuleOptions,
  LogDestination,
  NamedReadinessIndicator,
} from '../interfaces/health-module-options.interface';
import type { DataSource } from 'typeorm';

export interface ResolvedMediaFolder {
  readonly path: string;
  readonly maxUsedRatio: number;
}

export interface ResolvedHealthOptions {
  readonly service: string;
  readonly version: string;
  readonly instanceId: string;
  readonly checkIntervalMs: number;
  readonly checkTimeoutMs: number;
  readonly maxEventLoopLagMs: number;
  readonly dataSource?: DataSource;
  readonly mediaFolders: readonly ResolvedMediaFolder[];
  readonly readiness: readonly NamedReadinessIndicator[];
  readonly dependencies: readonly NamedReadinessIndicator[];
  readonly graceMs: number;
  readonly drainTimeoutMs: number;
  readonly logLevel: NonNullable<HealthLoggingOptions['level']>;
  readonly logDestination?: LogDestination;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function positiveMs(key: string, value: unknown, fallback: number, allowZero = false): number {
  if (value === undefined) return fallback;
  const ok =
    typeof value === 'number' && Number.isFinite(value) && (allowZero ? value >= 0 : value > 0);
  if (!ok) {
    throw new HealthOptionsError(
      key,
      `must be a ${allowZero ? 'non-negative' : 'positive'} number of milliseconds, got ${String(value)}`,
    );
  }
  return value;
}

function nonEmpty(key: string, value: unknown, fallback?: string): string {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'string' || value.trim() === '') {
    throw new HealthOptionsError(key, `must be a non-empty string, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Validates the options at boot and applies every default; throws HealthOptionsError naming the key. */
export function resolveHealthOptions(
  options: HealthModuleOptions | undefined,
  env: NodeJS.ProcessEnv = process.env,
): ResolvedHealthOptions {
  if (!options || typeof options !== 'object') {
    throw new HealthOptionsError('service', 'is required (HealthModule.forRoot({ service }))');
  }
  const mediaFolders = (options.mediaFolders ?? []).map((folder, i) => {
    const key = `mediaFolders[${i}]`;
    const spec = typeof folder === 'string' ? { path: folder } : folder;
    const path = nonEmpty(`${key}.path`, spec?.path);
    const ratio = spec.maxUsedRatio ?? HEALTH_DEFAULTS.maxDiskUsedRatio;
    if (typeof ratio !== 'number' || !(ratio > 0 && ratio <= 1)) {
      throw new HealthOptionsError(
        `${key}.maxUsedRatio`,
        `must be in (0, 1], got ${String(ratio)}`,
      );
    }
    return { path, maxUsedRatio: ratio };
  });
  const readiness = namedIndicators('readiness', options.readiness);
  const dependencies = namedIndicators('dependencies', options.dependencies);
  const dataSource = options.dataSource;
  if (dataSource !== undefined && typeof dataSource?.query !== 'function') {
    throw new HealthOptionsError('dataSource', 'must be a TypeORM DataSource');
  }
  const logLevel = options.logging?.level ?? HEALTH_DEFAULTS.logLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new HealthOptionsError('logging.level', `must be one of ${LOG_LEVELS.join(', ')}`);
  }
  const logDestination = options.logging?.destination;
  if (logDestination !== undefined && typeof logDestination?.write !== 'function') {
    throw new HealthOptionsError('logging.destination', 'must have a write(line) method');
  }
  return {
    service: nonEmpty('service', options.service),
    version: nonEmpty(
      'version',
      options.version,
      env.npm_package_version ?? HEALTH_DEFAULTS.version,
    ),
    instanceId: nonEmpty('instanceId', options.instanceId, `${hostname()}-${process.pid}`),
    checkIntervalMs: positiveMs(
      'checkIntervalMs',
      options.checkIntervalMs,
      HEALTH_DEFAULTS.checkIntervalMs,
    ),
    checkTimeoutMs: positiveMs(
      'checkTimeoutMs',
      options.checkTimeoutMs,
      HEALTH_DEFAULTS.checkTimeoutMs,
    ),
    maxEventLoopLagMs: positiveMs(
      'maxEventLoopLagMs',
      options.maxEventLoopLagMs,
      HEALTH_DEFAULTS.maxEventLoopLagMs,
    ),
    dataSource,
    mediaFolders,
    readiness,
    dependencies,
    graceMs: positiveMs(
      'shutdown.graceMs',
      options.shutdown?.graceMs,
      HEALTH_DEFAULTS.graceMs,
      true,
    ),
    drainTimeoutMs: positiveMs(
      'shutdown.drainTimeoutMs',
      options.shutdown?.drainTimeoutMs,
      HEALTH_DEFAULTS.drainTimeoutMs,
      true,
    ),
    logLevel,
    logDestination,
  };
}

function namedIndicators(
  key: 'readiness' | 'dependencies',
  indicators: HealthModuleOptions['readiness'],
): NamedReadinessIndicator[] {
  return (indicators ?? []).map((indicator, i): NamedReadinessIndicator => {
    if (typeof indicator === 'function') return { name: `${key}[${i}]`, check: indicator };
    if (indicator && typeof indicator.check === 'function') {
      return { name: nonEmpty(`${key}[${i}].name`, indicator.name), check: indicator.check };
    }
    throw new HealthOptionsError(
      `${key}[${i}]`,
      'must be an indicator function or { name, check } returning a HealthIndicatorResult',
    );
  });
}

export function diskKey(path: string): string {
  return `${HEALTH_INDICATOR_KEYS.diskPrefix}${path}`;
}
