export const HEALTH_DEFAULTS = {
  version: '0.0.0',
  checkIntervalMs: 5_000,
  checkTimeoutMs: 2_000,
  maxEventLoopLagMs: 1_000,
  eventLoopWindowMs: 1_000,
  maxDiskUsedRatio: 0.9,
  graceMs: 3_000,
  drainTimeoutMs: 10_000,
  logLevel: 'info',
  kafkaMaxLag: 1_000,
  kafkaMaxSilenceMs: 60_000,
} as const;

export const HEALTH_PATHS = {
  controller: 'health',
  live: 'live',
  ready: 'ready',
  metrics: 'metrics',
} as const;

export const HEALTH_HEADERS = {
  requestId: 'x-request-id',
  sagaId: 'x-saga-id',
  traceparent: 'traceparent',
} as const;

export const HEALTH_METRICS = {
  httpDuration: 'herd_http_request_duration_seconds',
  httpInFlight: 'herd_http_requests_in_flight',
  buildInfo: 'herd_build_info',
  indicatorUp: 'herd_health_indicator_up',
  /** A metric prom-client's collectDefaultMetrics always registers: its presence means "already collected". */
  defaultMarker: 'process_cpu_user_seconds_total',
} as const;

export const HEALTH_INDICATOR_KEYS = {
  eventLoop: 'event_loop',
  database: 'database',
  shutdown: 'shutdown',
  diskPrefix: 'disk:',
  kafkaPrefix: 'kafka:',
} as const;

/** Injection token of the validated options (defaults applied). */
export const HEALTH_RESOLVED_OPTIONS = Symbol('herd:health:resolved-options');
