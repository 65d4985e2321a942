export { benchMetric, percentile } from './bench-result';
export type { BenchMetric, BenchScenario } from './bench-result';
