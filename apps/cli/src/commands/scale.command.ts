import { Command } from 'nest-commander';
import { MarathonClient } from '@herd/marathon';
import { EXIT } from '../exit-codes';
import { ChangeCommand, MarathonCommandOptions, seconds } from '../marathon.command';
import { UsageError } from '../usage.error';

@Command({
  name: 'scale',
  arguments: '<app-id> <instances>',
  description: 'change the instance count and follow the deployment until all are healthy',
})
export class ScaleCommand extends ChangeCommand {
  protected async execute(
    [id, count]: string[],
    options: MarathonCommandOptions,
    client: MarathonClient,
  ): Promise<number> {
    const instances = Number(count);
    if (!Number.isInteger(instances) || instances < 0) {
      throw new UsageError(`instances must be a whole number ≥ 0 (got "${count}")`);
    }
    this.out.write(`herd: scaling ${id} to ${instances} instances\n`);
    const done = await this.deployer(client, options).scale(id, instances, this.change(options));
    this.out.write(
      `herd: ${done.appId} scaled: ${done.healthy} of ${done.instances} healthy in ${seconds(done.elapsedMs)}\n`,
    );
    return EXIT.ok;
  }
}
