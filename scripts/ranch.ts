import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SWARM_STACK_FILE, renderHerdStack } from '../apps/cli/src/swarm/herd-swarm-stack';

const ROOT = resolve(__dirname, '..');
const USAGE = 'usage: npm run ranch -- stack   (regenerates docker/swarm/herd.stack.yml)\n';

async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'stack' && argv.length === 1) {
    writeFileSync(join(ROOT, SWARM_STACK_FILE), renderHerdStack());
    process.stdout.write(`wrote ${SWARM_STACK_FILE}\n`);
    return 0;
  }
  process.stderr.write(USAGE);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`[herd ranch] ${(error as Error).message}\n`);
    process.exit(1);
  },
);
