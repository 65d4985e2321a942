import { readFileSync } from 'node:fs';
import { Command, Option } from 'nest-commander';
import {
  MarathonAppDefinition,
  MarathonClient,
  MarathonGroupDefinition,
  MarathonInvalidDefinitionError,
  validateGroupDefinition,
} from '@herd/marathon';
import { EXIT } from '../exit-codes';
import {
  ChangeCommand,
  MarathonCommandOptions,
  positiveNumber,
  seconds,
} from '../marathon.command';
import { UsageError } from '../usage.error';

@Command({
  name: 'deploy',
  arguments: '<app.json|group.json>',
  description:
    'create or update a Marathon app (a group: each of its apps in turn), follow the deployment until every instance is healthy, roll back on timeout',
})
export class DeployCommand extends ChangeCommand {
  protected async execute(
    [file]: string[],
    options: MarathonCommandOptions,
    client: MarathonClient,
  ): Promise<number> {
    const parsed = readJson(file);
    if (!isGroup(parsed)) return this.deployApp(parsed, options, client);
    const violations = validateGroupDefinition(parsed);
    if (violations.length) {
      throw new MarathonInvalidDefinitionError('local', violations, 'group definition');
    }
    // One app after the other, each with its own rollback: not one Marathon group deployment.
    for (const app of parsed.apps) {
      const id = app.id.startsWith('/') ? app.id : `${parsed.id.replace(/\/$/, '')}/${app.id}`;
      const code = await this.deployApp({ ...app, id }, options, client);
      if (code !== EXIT.ok) return code;
    }
    this.out.write(`herd: group ${parsed.id} deployed: ${parsed.apps.length} apps healthy\n`);
    return EXIT.ok;
  }

  private async deployApp(
    definition: MarathonAppDefinition,
    options: MarathonCommandOptions,
    client: MarathonClient,
  ): Promise<number> {
    const image = definition.container?.docker?.image ?? definition.cmd ?? '?';
    this.out.write(
      `herd: deploying ${definition.id} (${image}, ${definition.instances} instances) to ${client.origin}\n`,
    );
    const outcome = await this.deployer(client, options).deploy(definition, this.change(options));
    const done = outcome.snapshot;
    if (outcome.result === 'healthy') {
      this.out.write(
        `herd: ${done.appId} ${outcome.created ? 'created' : 'updated'} and healthy: ${done.healthy} of ${done.instances} at version ${done.version} in ${seconds(done.elapsedMs)}\n`,
      );
      return EXIT.ok;
    }
    const failed = outcome.failed;
    process.stderr.write(
      `herd: deploy of ${failed.appId} timed out after ${seconds(failed.elapsedMs)} (${failed.updatedHealthy} of ${failed.instances} healthy on version ${failed.version}); rolled back to version ${outcome.restoredVersion}: ${done.healthy} of ${done.instances} healthy\n`,
    );
    return EXIT.rolledBack;
  }

  @Option({
    flags: '--rollback-timeout <seconds>',
    description: 'deadline of the automatic rollback (default: --timeout)',
  })
  parseRollbackTimeout(value: string): number {
    return positiveNumber('--rollback-timeout', value);
  }
}

function isGroup(
  value: MarathonAppDefinition | MarathonGroupDefinition,
): value is MarathonGroupDefinition {
  return Array.isArray((value as MarathonGroupDefinition).apps);
}

function readJson(file: string): MarathonAppDefinition | MarathonGroupDefinition {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
  try {
    return JSON.parse(text) as MarathonAppDefinition | MarathonGroupDefinition;
  } catch (error) {
    throw new UsageError(`${file} is not JSON: ${(error as Error).message}`);
  }
}
