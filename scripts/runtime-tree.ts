import { writeRuntimeTree } from '@herd/testing';

/** Build-stage step of docker/service.Dockerfile: `runtime-tree <compiled main.js> <out dir>`. */
async function main([entry, outDir]: string[]): Promise<number> {
  if (!entry || !outDir) {
    process.stderr.write('usage: runtime-tree <compiled main.js> <out dir>\n');
    return 2;
  }
  const tree = await writeRuntimeTree(entry, outDir);
  process.stdout.write(
    `runtime tree: ${tree.files} files, ${(tree.bytes / 1e6).toFixed(1)} MB, ${tree.packages.length} packages\n`,
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
