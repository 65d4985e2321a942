import { parsePrometheusText } from './parse-prometheus-text';
import {
  InstanceMetricsSource,
  InstanceUsage,
  MetricSample,
  PROCESS_CPU,
  PROCESS_MEMORY,
  SAGA_METRIC_PREFIX,
} from './metric-sample';

interface CpuReading {
  readonly seconds: number;
  readonly at: number;
}

/**
 * Scrapes each instance's /metrics itself (no Prometheus configured). CPU is the rate of
 * `process_cpu_seconds_total` between two scrapes, so an instance has a CPU figure from its
 * second scrape on. The addresses come from Consul, never from a request.
 */
export class ScrapeMetricsSource implements InstanceMetricsSource {
  readonly description = 'each instance’s /metrics';
  private readonly lastCpu = new Map<string, CpuReading>();

  constructor(
    private readonly timeoutMs = 2_000,
    private readonly now: () => number = Date.now,
  ) {}

  async read(
    instances: readonly { id: string; address: string; port: number }[],
    metrics: readonly string[] = [],
  ): Promise<Map<string, InstanceUsage>> {
    const usage = new Map<string, InstanceUsage>();
    await Promise.all(
      instances.map(async (instance) => {
        const text = await this.scrape(
          `http://${hostPort(instance.address, instance.port)}/metrics`,
        );
        if (text === undefined) return;
        usage.set(instance.id, this.usageOf(instance.id, text, metrics));
      }),
    );
    for (const id of this.lastCpu.keys()) {
      if (!instances.some((instance) => instance.id === id)) this.lastCpu.delete(id);
    }
    return usage;
  }

  private usageOf(id: string, text: string, metrics: readonly string[]): InstanceUsage {
    const samples = parsePrometheusText(text);
    const cpuSeconds = samples.find((s) => s.name === PROCESS_CPU)?.value;
    const at = this.now();
    let cpuCores: number | undefined;
    if (cpuSeconds !== undefined) {
      const last = this.lastCpu.get(id);
      if (last && at > last.at && cpuSeconds >= last.seconds) {
        cpuCores = (cpuSeconds - last.seconds) / ((at - last.at) / 1000);
      }
      this.lastCpu.set(id, { seconds: cpuSeconds, at });
    }
    return {
      cpuCores,
      memoryBytes: samples.find((s) => s.name === PROCESS_MEMORY)?.value,
      saga: samples.filter((s) => s.name.startsWith(SAGA_METRIC_PREFIX)),
      metrics: summed(samples, metrics),
    };
  }

  private async scrape(url: string): Promise<string | undefined> {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(this.timeoutMs) });
      return response.ok ? await response.text() : undefined;
    } catch {
      // A dying instance does not answer: it simply has no figures this cycle.
      return undefined;
    }
  }
}

/** Only the metrics the instance serves: one it does not serve has no figure, not 0. */
function summed(samples: readonly MetricSample[], names: readonly string[]): Map<string, number> {
  const sums = new Map<string, number>();
  for (const s of samples) {
    if (names.includes(s.name)) sums.set(s.name, (sums.get(s.name) ?? 0) + s.value);
  }
  return sums;
}

export function hostPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}
