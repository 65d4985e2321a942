import { CommandFactory } from 'nest-commander';
import { EXIT, exitCodeFor } from './exit-codes';
import { HerdCliModule } from './herd-cli.module';

async function main(): Promise<void> {
  await CommandFactory.run(HerdCliModule, {
    logger: false,
    // Commander's own errors (unknown command or option, missing argument) are usage errors.
    errorHandler: (error) =>
      process.exit((error as { exitCode?: number }).exitCode === 0 ? EXIT.ok : EXIT.usage),
    // An option parser's error (`--timeout abc`, `--target mesos`) arrives here: one line, its
    // exit code (nest-commander's default prints it and exits 0).
    serviceErrorHandler: (error) => {
      process.stderr.write(`herd: ${error.message}\n`);
      process.exit(exitCodeFor(error));
    },
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
