import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { BenchMetric, BenchScenario, realServersUp } from '@herd/testing';
import { formatTable } from '../apps/cli/src/text-table';

const BENCH_DIR = resolve(__dirname, '..', 'bench');
const RESULTS_DIR = resolve(process.cwd(), 'bench-results');

function available(): string[] {
  return readdirSync(BENCH_DIR)
    .filter((file) => file.endsWith('.bench.ts'))
    .map((file) => file.replace(/\.bench\.ts$/, ''));
}

function printTable(name: string, metrics: BenchMetric[]): void {
  const header = ['metric', 'value', 'unit', 'baseline', 'ratio', 'target'];
  const rows = metrics.map((m) => [
    m.metric,
    String(m.value),
    m.unit,
    m.baseline === null ? '-' : String(m.baseline),
    m.ratio === null ? '-' : `${m.ratio}x`,
    m.target,
  ]);
  process.stdout.write(`\n${name}\n${formatTable(header, rows)}`);
}

async function main(): Promise<number> {
  const name = process.argv[2];
  if (!name || !available().includes(name)) {
    process.stderr.write(
      `usage: npm run bench -- <name>\navailable: ${available().join(', ') || '(none)'}\n`,
    );
    return 2;
  }
  const file = join(BENCH_DIR, `${name}.bench.ts`);
  if (!existsSync(file)) return 2;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const scenario = (require(file) as { default: BenchScenario }).default;
  // Every scenario measures real servers: they come up (or are reused) as for the test suite.
  await realServersUp();
  const started = Date.now();
  const metrics = await scenario((message) => process.stdout.write(`[bench ${name}] ${message}\n`));
  printTable(`${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`, metrics);
  mkdirSync(RESULTS_DIR, { recursive: true });
  const out = join(RESULTS_DIR, `${name}.json`);
  writeFileSync(out, `${JSON.stringify(metrics, null, 2)}\n`);
  process.stdout.write(`\nwritten ${out}\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
