import { Command, Option } from 'nest-commander';
import { MarathonClient } from '@herd/marathon';
import { EXIT } from '../exit-codes';
import { ChangeCommand, MarathonCommandOptions, seconds } from '../marathon.command';

interface RollbackOptions extends MarathonCommandOptions {
  to?: string;
}

@Command({
  name: 'rollback',
  arguments: '<app-id>',
  description:
    'restore the previous configuration (or --to VERSION) at the current instance count, and follow it',
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

  @Option({ flags: '--to <version>', description: 'a version from /v2/apps/{id}/versions' })
  parseTo(value: string): string {
    return value;
  }
}
