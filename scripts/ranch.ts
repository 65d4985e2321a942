import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InfraStepError, ProgressReporter } from '@herd/testing';
import { ranchDown, runRanch } from '../apps/cli/src/swarm/herd-ranch';
import { SWARM_STACK_FILE, renderHerdStack } from '../apps/cli/src/swarm/herd-swarm-stack';

const ROOT = resolve(__dirname, '..');
const USAGE = `usage: npm run ranch                  the herd on this machine's swarm (made when there is none)
       npm run ranch -- down [--leave]  remove the herd's services and secrets (--leave: the swarm too)
       npm run ranch -- stack           regenerate ${SWARM_STACK_FILE}
`;

const started = Date.now();
const progress: ProgressReporter = (step, message) =>
  process.stdout.write(
    `[herd ranch ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${step}: ${message}\n`,
  );

async function main(argv: string[]): Promise<number> {
  const io = { progress, out: process.stdout, err: process.stderr };
  if (argv.length === 0) return runRanch(io);
  if (argv[0] === 'down' && argv.length <= 2 && (argv[1] ?? '--leave') === '--leave') {
    return ranchDown({ ...io, leave: argv[1] === '--leave' });
  }
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
    const message =
      error instanceof InfraStepError ? error.message : ((error as Error).stack ?? String(error));
    process.stderr.write(`[herd ranch] ${message}\n`);
    process.exit(1);
  },
);
