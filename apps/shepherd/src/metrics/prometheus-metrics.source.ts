import {
  InstanceMetricsSource,
  InstanceUsage,
  MetricSample,
  PROCESS_CPU,
  PROCESS_MEMORY,
} from './metric-sample';

interface VectorResult {
  metric: Record<string, string>;
  value: [number, string];
}

/** One instance's usage while the query results are gathered into it. */
interface MutableUsage {
  cpuCores?: number;
  memoryBytes?: number;
  saga: MetricSample[];
  metrics: Map<string, number>;
}

interface QueryResponse {
  status: 'success' | 'error';
  data?: { resultType: string; result: VectorResult[] };
  error?: string;
}

/**
 * Reads usage from a Prometheus that scrapes the herd through Consul (docker/prometheus/): the
 * `instance` label is the Consul service ID there, so figures join the catalogue by ID.
 */
export class PrometheusMetricsSource implements InstanceMetricsSource {
  readonly description: string;

  constructor(
    private readonly url: string,
    private readonly timeoutMs = 5_000,
    private readonly rateWindow = '1m',
  ) {
    this.description = `Prometheus at ${new URL(url).origin}`;
  }

  async read(
    instances: readonly { id: string }[],
    metrics: readonly string[] = [],
  ): Promise<Map<string, InstanceUsage>> {
    const usage = new Map<string, InstanceUsage>();
    if (instances.length === 0) return usage;
    const ids = instances.map((i) => escapeRegex(i.id)).join('|');
    const selector = `{instance=~"${ids}"}`;
    const names = metrics.map(escapeRegex).join('|');
    const [cpu, memory, saga, named] = await Promise.all([
      this.query(`rate(${PROCESS_CPU}${selector}[${this.rateWindow}])`),
      this.query(`${PROCESS_MEMORY}${selector}`),
      this.query(`{__name__=~"herd_saga_.+",instance=~"${ids}"}`),
      metrics.length
        ? this.query(`sum by (__name__, instance) ({__name__=~"${names}",instance=~"${ids}"})`)
        : Promise.resolve([]),
    ]);
    const at = (id: string): MutableUsage => {
      let entry = usage.get(id) as MutableUsage | undefined;
      if (!entry) {
        entry = { saga: [], metrics: new Map() };
        usage.set(id, entry);
      }
      return entry;
    };
    for (const r of cpu) at(r.metric.instance).cpuCores = Number(r.value[1]);
    for (const r of memory) at(r.metric.instance).memoryBytes = Number(r.value[1]);
    for (const r of saga) {
      const { __name__: name, ...labels } = r.metric;
      at(r.metric.instance).saga.push({ name, labels, value: Number(r.value[1]) });
    }
    for (const r of named) at(r.metric.instance).metrics.set(r.metric.__name__, Number(r.value[1]));
    return usage;
  }

  private async query(promql: string): Promise<VectorResult[]> {
    const url = `${this.url.replace(/\/$/, '')}/api/v1/query?query=${encodeURIComponent(promql)}`;
    const response = await fetch(url, { signal: AbortSignal.timeout(this.timeoutMs) });
    const body = (await response.json()) as QueryResponse;
    if (body.status !== 'success' || !body.data) {
      throw new Error(`Prometheus query failed (${response.status}): ${body.error ?? 'no data'}`);
    }
    return body.data.result;
  }
}

/** A regex literal inside a PromQL string: the regex escape's backslash is itself escaped. */
function escapeRegex(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\\\$&');
}
