import { readFileSync } from 'node:fs';
import {
  INFRA_ENV_KEYS,
  InfraServerName,
  InfraStepError,
  infraDown,
  infraLogFiles,
  infraStatus,
  infraUp,
  resolveInfraPaths,
} from '@herd/testing';
import { formatTable } from '../apps/cli/src/text-table';

const USAGE = `usage: npm run infra -- <up|down|status|logs> [postgres|kafka|consul ...]

  up      provision and start what is not already healthy (idempotent), write .herd/infra.env
  down    stop every server this checkout started (never external ones), reporting each
  status  each server's health, version and address
  logs    the last lines of each server's log

Set ${Object.values(INFRA_ENV_KEYS).join(', ')} to use existing servers instead.`;

const SERVER_NAMES: readonly InfraServerName[] = ['postgres', 'kafka', 'consul'];

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const unknown = rest.filter((name) => !SERVER_NAMES.includes(name as InfraServerName));
  if (!command || unknown.length > 0) {
    process.stderr.write(
      `${unknown.length ? `unknown server: ${unknown.join(', ')}\n` : ''}${USAGE}\n`,
    );
    return 2;
  }
  const only = rest.length ? (rest as InfraServerName[]) : undefined;
  switch (command) {
    case 'up': {
      const started = Date.now();
      const env = await infraUp({ only });
      const paths = resolveInfraPaths();
      process.stdout.write(
        `\nReady in ${((Date.now() - started) / 1000).toFixed(1)} s. Connection details (${paths.envFile}):\n`,
      );
      for (const [key, value] of Object.entries(env)) process.stdout.write(`  ${key}=${value}\n`);
      process.stdout.write(
        `Servers' own tools: ${paths.binDir} (consul, kafka-consumer-groups, kafka-topics, herd-psql)\n`,
      );
      return 0;
    }
    case 'down': {
      // Each server is reported as it is handled; a failure is thrown after all were tried.
      const reports = await infraDown({ only });
      const stopped = reports.filter((r) => r.outcome === 'stopped').map((r) => r.name);
      process.stdout.write(
        stopped.length ? `stopped: ${stopped.join(', ')}\n` : 'nothing of ours was running\n',
      );
      return 0;
    }
    case 'status': {
      const statuses = await infraStatus({ only });
      const rows = statuses.map((s) => [
        s.name,
        s.healthy ? 'healthy' : 'down',
        s.version ?? '-',
        s.address,
        s.managedBy,
        s.detail ?? '',
      ]);
      process.stdout.write(
        formatTable(['server', 'state', 'version', 'address', 'managed by', 'detail'], rows),
      );
      return statuses.every((s) => s.healthy) ? 0 : 1;
    }
    case 'logs': {
      for (const { name, file } of infraLogFiles({ only })) {
        process.stdout.write(`==> ${name}: ${file}\n`);
        try {
          process.stdout.write(readFileSync(file, 'utf8').split('\n').slice(-40).join('\n') + '\n');
        } catch {
          process.stdout.write('(no log yet)\n');
        }
      }
      return 0;
    }
    default:
      process.stderr.write(`unknown command: ${command}\n${USAGE}\n`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof InfraStepError) {
      process.stderr.write(`\n[herd infra] ${error.message}\n`);
    } else {
      process.stderr.write(
        `\n[herd infra] unexpected failure: ${(error as Error).stack ?? String(error)}\n`,
      );
    }
    process.exit(1);
  },
);
