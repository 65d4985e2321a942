import { CommandFactory } from 'nest-commander';
import { EXIT } from './exit-codes';
import { HerdCliModule } from './herd-cli.module';

async function main(): Promise<void> {
  await CommandFactory.run(HerdCliModule, {
    logger: false,
    // Commander's own errors (unknown command or option, missing argument) are usage errors.
    errorHandler: (error) =>
      process.exit((error as { exitCode?: number }).exitCode === 0 ? EXIT.ok : EXIT.usage),
  });
}

main().then(
  // Pending keep-alive sockets must not hold a CI job open once the outcome is known.
  () => process.exit(process.exitCode ?? EXIT.ok),
  (error: unknown) => {
    process.stderr.write(`herd: ${(error as Error).message}\n`);
    process.exit(EXIT.unexpected);
  },
);
