export interface MetricSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** What the shepherd reads of one instance in one cycle. */
export interface InstanceUsage {
  /** CPU used, in cores (1 = one core busy), over the last interval. */
  readonly cpuCores?: number;
  readonly memoryBytes?: number;
  /** The herd_saga_* samples the page shows (sagas by state, dead letters). */
  readonly saga: readonly MetricSample[];
  /** Each asked-for metric the instance serves, summed over its series (backlog rules). */
  readonly metrics: ReadonlyMap<string, number>;
}

/** Reads usage for instances: from Prometheus when one is configured, else from each /metrics. */
export interface InstanceMetricsSource {
  readonly description: string;
  read(
    instances: readonly { id: string; address: string; port: number }[],
    metrics?: readonly string[],
  ): Promise<Map<string, InstanceUsage>>;
}

export const PROCESS_CPU = 'process_cpu_seconds_total';
export const PROCESS_MEMORY = 'process_resident_memory_bytes';
export const SAGA_METRIC_PREFIX = 'herd_saga_';
