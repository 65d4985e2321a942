// The module itself, not the @herd/testing barrel: this runs in every image build, and ts-node
// compiling the barrel's graph (testcontainers, kafkajs, …) took 8 of its 19 s.
import { warmRuntimeTraceCache, writeRuntimeTree } from '../libs/testing/src/docker/runtime-tree';

const USAGE =
  'usage: runtime-tree <compiled main.js> <out dir> [trace cache dir]\n' +
  '       runtime-tree --warm <trace cache dir>\n';

/**
 * Build-stage steps of docker/service.Dockerfile: `--warm` analyses the installed packages once
 * (the layer after `npm ci`); the other form writes a service's runtime tree using that analysis.
 */
async function main([first, second, third]: string[]): Promise<number> {
  if (first === '--warm' && second) {
    const files = await warmRuntimeTraceCache(second);
    process.stdout.write(`trace cache: ${files} package files analysed into ${second}\n`);
    return 0;
  }
  if (!first || !second || first.startsWith('--')) {
    process.stderr.write(USAGE);
    return 2;
  }
  const tree = await writeRuntimeTree(first, second, process.cwd(), third);
  process.stdout.write(
    `runtime tree: ${tree.files} files, ${(tree.bytes / 1e6).toFixed(1)} MB (${(tree.minifiedBytes / 1e6).toFixed(1)} MB with the packages' comments and whitespace stripped), ${tree.packages.length} packages\n`,
  );
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`runtime-tree failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
