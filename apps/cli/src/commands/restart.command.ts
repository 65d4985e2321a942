import { Command } from 'nest-commander';
import { MarathonClient } from '@herd/marathon';
import { EXIT } from '../exit-codes';
import { ChangeCommand, HerdCommandOptions } from '../herd.command';
import { seconds } from '../durations';

@Command({
  name: 'restart',
  arguments: '<app-id>',
  description: 'replace every instance by a rolling restart (the upgrade strategy applies)',
})
export class RestartCommand extends ChangeCommand {
  protected async execute(
    [id]: string[],
    options: HerdCommandOptions,
    client: MarathonClient,
  ): Promise<number> {
    this.out.write(`herd: restarting ${id}\n`);
    const done = await this.deployer(client, options).restart(id, this.change(options));
    this.out.write(
      `herd: ${done.appId} restarted: ${done.healthy} of ${done.instances} healthy at version ${done.version} in ${seconds(done.elapsedMs)}\n`,
    );
    return EXIT.ok;
  }
}
