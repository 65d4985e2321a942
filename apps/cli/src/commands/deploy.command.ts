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
import { ChangeCommand, HerdCommandOptions, positiveNumber, wholeNumber } from '../herd.command';
import type { SwarmTarget } from '../swarm/swarm-target';
import { seconds } from '../durations';
import { UsageError } from '../usage.error';

@Command({
  name: 'deploy',
  arguments: '[app.json|group.json|member...]',
  description:
    'create or update a Marathon app (a group: each of its apps in turn), or with --target swarm the named herd members (none: all), follow it until every instance is healthy, roll back on timeout',
})
export class DeployCommand extends ChangeCommand {
  protected async execute(
    files: string[],
    options: HerdCommandOptions,
    client: MarathonClient,
  ): Promise<number> {
    if (files.length !== 1) {
      throw new UsageError('herd deploy takes one Marathon app or group definition file');
    }
    const parsed = readJson(files[0]);
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
    options: HerdCommandOptions,
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

  protected override executeSwarm(
    members: string[],
    options: HerdCommandOptions,
    target: SwarmTarget,
  ): Promise<number> {
    return target.deploy(members, options, this.change(options));
  }

  @Option({
    flags: '--stack <name>',
    description: 'swarm: the stack of the services (default herd)',
  })
  parseStack(value: string): string {
    return value;
  }

  @Option({
    flags: '--version <semver>',
    description: "swarm: image tag and Consul Meta.version (default: the manifest's)",
  })
  parseVersion(value: string): string {
    return value;
  }

  @Option({ flags: '--replicas <n>', description: "swarm: replicas (default: the manifest's)" })
  parseReplicas(value: string): number {
    return wholeNumber('--replicas', value);
  }

  @Option({
    flags: '--env <KEY=VALUE>',
    description: 'swarm: a plain variable over the manifest and the shell (repeatable)',
  })
  parseEnv(value: string, previous: Record<string, string> = {}): Record<string, string> {
    return { ...previous, ...keyValue('--env', value) };
  }

  @Option({
    flags: '--volume <container-path=host-path>',
    // Repeatable, so the options key is the plural SwarmDeployOptions reads.
    name: 'volumes',
    description: "swarm: host path of a manifest volume (repeatable; default: the manifest's)",
  })
  parseVolume(value: string, previous: Record<string, string> = {}): Record<string, string> {
    return { ...previous, ...keyValue('--volume', value) };
  }

  @Option({
    flags: '--secret-prefix <prefix>',
    description: 'swarm: put before every Docker secret name (two herds on one swarm)',
  })
  parseSecretPrefix(value: string): string {
    return value;
  }

  @Option({
    flags: '--rollback-timeout <seconds>',
    description: 'deadline of the automatic rollback (default: --timeout)',
  })
  parseRollbackTimeout(value: string): number {
    return positiveNumber('--rollback-timeout', value);
  }
}

function keyValue(flag: string, value: string): Record<string, string> {
  const at = value.indexOf('=');
  if (at < 1) throw new UsageError(`${flag} takes KEY=VALUE (got "${value}")`);
  return { [value.slice(0, at)]: value.slice(at + 1) };
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
