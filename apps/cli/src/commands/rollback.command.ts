import { Command, Option } from 'nest-commander';
import { MarathonClient } from '@herd/marathon';
import { EXIT } from '../exit-codes';
import { ChangeCommand, HerdCommandOptions } from '../herd.command';
import { seconds } from '../durations';
import type { SwarmTarget } from '../swarm/swarm-target';
import { UsageError } from '../usage.error';

interface RollbackOptions extends HerdCommandOptions {
  to?: string;
}

@Command({
  name: 'rollback',
  arguments: '<app-id|swarm-service>',
  description:
    'restore the previous configuration (Marathon: or --to VERSION) at the current instance count, and follow it',
})
export class RollbackCommand extends ChangeCommand {
  protected async execute(
    [id]: string[],
    options: RollbackOptions,
    client: MarathonClient,
  ): Promise<number> {
    const { version, snapshot } = await this.deployer(client, options).rollback(id, {
      ...this.change(options),
      to: options.to,
    });
    this.out.write(
      `herd: ${snapshot.appId} rolled back to version ${version}: ${snapshot.healthy} of ${snapshot.instances} healthy in ${seconds(snapshot.elapsedMs)}\n`,
    );
    return EXIT.ok;
  }

  protected override executeSwarm(
    [service]: string[],
    options: RollbackOptions,
    target: SwarmTarget,
  ): Promise<number> {
    if (options.to) throw new UsageError('--to is Marathon only: Swarm keeps one previous spec');
    return target.rollback(service, this.change(options));
  }

  @Option({ flags: '--to <version>', description: 'a version from /v2/apps/{id}/versions' })
  parseTo(value: string): string {
    return value;
  }
}
