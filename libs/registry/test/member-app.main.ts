import { startMember } from './member-app';

// Child-process entry for tests that must SIGKILL a member: options come as JSON in argv[2].
startMember(JSON.parse(process.argv[2] ?? '{}'))
  .then((member) => process.stdout.write(`LISTENING ${member.port}\n`))
  .catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
