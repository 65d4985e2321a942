/** One row of `bench-results/<name>.json`. `baseline` is measured in the same run as `value`. */
export interface BenchMetric {
  readonly metric: string;
  readonly value: number;
  readonly unit: string;
  readonly baseline: number | null;
  /** value / baseline, or null when the metric has no baseline. */
  readonly ratio: number | null;
  /** The goal in words, e.g. ">= 100x baseline" or "p99 <= 1500 ms". */
  readonly target: string;
}

export function benchMetric(
  metric: string,
  value: number,
  unit: string,
  baseline: number | null,
  target: string,
): BenchMetric {
  const ratio = baseline ? round(value / baseline, 3) : null;
  return {
    metric,
    value: round(value, 3),
    unit,
    baseline: baseline === null ? null : round(baseline, 3),
    ratio,
    target,
  };
}

/** A benchmark scenario: `bench/<name>.bench.ts` default-exports one. */
export type BenchScenario = (progress: (message: string) => void) => Promise<BenchMetric[]>;

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] as number;
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
