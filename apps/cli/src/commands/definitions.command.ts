import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommandRunner, Option } from 'nest-commander';
import { MARATHON_DEFINITIONS_DIR } from '../cli.constants';
import { EXIT } from '../exit-codes';

@Command({
  name: 'definitions',
  description: `write the herd's Marathon definitions, generated from the service manifests, to ${MARATHON_DEFINITIONS_DIR}`,
})
export class DefinitionsCommand extends CommandRunner {
  async run(_params: string[], options: { check?: boolean; out?: string }): Promise<void> {
    // Loaded on use: the manifests import the services, which the other commands do not need.
    const { renderMarathonDefinitions } = await import('../herd-definitions');
    const dir = options.out ?? MARATHON_DEFINITIONS_DIR;
    const stale: string[] = [];
    if (!options.check) mkdirSync(dir, { recursive: true });
    for (const [file, content] of Object.entries(renderMarathonDefinitions())) {
      const path = join(dir, file);
      const current = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
      if (current === content) continue;
      stale.push(path);
      if (!options.check) writeFileSync(path, content);
    }
    if (options.check && stale.length) {
      process.stderr.write(
        `herd: out of date with the manifests: ${stale.join(', ')} (run herd definitions)\n`,
      );
      process.exitCode = EXIT.invalidDefinition;
      return;
    }
    process.stdout.write(
      stale.length ? `herd: wrote ${stale.join(', ')}\n` : `herd: ${dir} is up to date\n`,
    );
  }

  @Option({ flags: '--check', description: 'only check: exit 3 when a committed file differs' })
  parseCheck(): boolean {
    return true;
  }

  @Option({ flags: '--out <dir>', description: `default ${MARATHON_DEFINITIONS_DIR}` })
  parseOut(value: string): string {
    return value;
  }
}
