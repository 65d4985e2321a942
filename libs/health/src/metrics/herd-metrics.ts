import {
  collectDefaultMetrics,
  Counter,
  Gauge,
  Histogram,
  register,
  type CounterConfiguration,
  type GaugeConfiguration,
  type HistogramConfiguration,
  type Metric,
} from 'prom-client';
import { HEALTH_METRICS } from '../health.constants';

function getOrCreate<T extends Metric<string>>(name: string, create: () => T): T {
  // Several Nest apps share one process in tests: the first creates, the others reuse.
  return (register.getSingleMetric(name) as T | undefined) ?? create();
}

/** Get-or-create on prom-client's global register, per the Herd metrics contract. */
export function herdCounter<L extends string>(config: CounterConfiguration<L>): Counter<L> {
  return getOrCreate(config.name, () => new Counter(config));
}

export function herdGauge<L extends string>(config: GaugeConfiguration<L>): Gauge<L> {
  return getOrCreate(config.name, () => new Gauge(config));
}

export function herdHistogram<L extends string>(config: HistogramConfiguration<L>): Histogram<L> {
  return getOrCreate(config.name, () => new Histogram(config));
}

// Gauges named *_total fail `promtool check metrics` (prometheus/client_js#283); each is the
// sum over `type` of its unsuffixed sibling, e.g. sum without (type) (nodejs_active_handles).
const LINT_FAILING_DEFAULTS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

/** prom-client's process/Node.js defaults, once per process, minus the promtool offenders. */
export function ensureDefaultMetrics(): void {
  if (register.getSingleMetric(HEALTH_METRICS.defaultMarker)) return;
  collectDefaultMetrics();
  LINT_FAILING_DEFAULTS.forEach((name) => register.removeSingleMetric(name));
}

export function httpRequestDuration(): Histogram<'service' | 'method' | 'route' | 'status_code'> {
  return herdHistogram({
    name: HEALTH_METRICS.httpDuration,
    help: 'HTTP request duration in seconds, by service, route pattern, method and status code',
    labelNames: ['service', 'method', 'route', 'status_code'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  });
}

export function httpInFlight(): Gauge<'service'> {
  return herdGauge({
    name: HEALTH_METRICS.httpInFlight,
    help: 'HTTP requests received and not yet answered',
    labelNames: ['service'],
  });
}

// `instance_id`, not `instance`: Prometheus owns `instance` (the scrape target) and would
// rename ours to `exported_instance`.
export function buildInfo(): Gauge<'service' | 'version' | 'instance_id'> {
  return herdGauge({
    name: HEALTH_METRICS.buildInfo,
    help: 'Always 1; labels say which service, version and instance this process runs',
    labelNames: ['service', 'version', 'instance_id'],
  });
}

export function indicatorUp(): Gauge<'service' | 'indicator'> {
  return herdGauge({
    name: HEALTH_METRICS.indicatorUp,
    help: '1 when the health indicator was up at its last check, 0 when down',
    labelNames: ['service', 'indicator'],
  });
}

export function metricsText(): Promise<string> {
  return register.metrics();
}

export function metricsContentType(): string {
  return register.contentType;
}
