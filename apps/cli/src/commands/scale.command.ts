import { Command } from 'nest-commander';
import { MarathonClient } from '@herd/marathon';
import { EXIT } from '../exit-codes';
import { ChangeCommand, HerdCommandOptions, wholeNumber } from '../herd.command';
import { seconds } from '../durations';
import type { SwarmTarget } from '../swarm/swarm-target';

@Command({
  name: 'scale',
  arguments: '<app-id|swarm-service> <instances>',
  description: 'change the instance count and follow the deployment until all are healthy',
})
export class ScaleCommand extends ChangeCommand {
  protected async execute(
    [id, count]: string[],
    options: HerdCommandOptions,
    client: MarathonClient,
  ): Promise<number> {
    const instances = wholeNumber('instances', count);
    this.out.write(`herd: scaling ${id} to ${instances} instances\n`);
    const done = await this.deployer(client, options).scale(id, instances, this.change(options));
    this.out.write(
      `herd: ${done.appId} scaled: ${done.healthy} of ${done.instances} healthy in ${seconds(done.elapsedMs)}\n`,
    );
    return EXIT.ok;
  }

  protected override executeSwarm(
    [service, count]: string[],
    options: HerdCommandOptions,
    target: SwarmTarget,
  ): Promise<number> {
    return target.scale(service, wholeNumber('instances', count), this.change(options));
  }
}
