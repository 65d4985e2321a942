import { Module } from '@nestjs/common';
import { DefinitionsCommand } from './commands/definitions.command';
import { DeployCommand } from './commands/deploy.command';
import { RestartCommand } from './commands/restart.command';
import { RollbackCommand } from './commands/rollback.command';
import { ScaleCommand } from './commands/scale.command';
import { StatusCommand } from './commands/status.command';

@Module({
  providers: [
    DeployCommand,
    ScaleCommand,
    StatusCommand,
    RollbackCommand,
    RestartCommand,
    DefinitionsCommand,
  ],
})
export class HerdCliModule {}
