import { DataSource } from 'typeorm';
import { SAGA_ENTITIES } from '../saga.entities';
import { crashNames, crashOrchestrator, crashParticipant } from './crash-saga';
import { LedgerEntryEntity } from './ledger-entry.entity';

/**
 * Child process of saga-crash.int-spec.ts: runs one role until SIGKILLed, or until SIGTERM,
 * which closes the runtime the way a Nest app's shutdown hooks do (drain, commit, close).
 * Env: ROLE (orchestrator|participant), RUN, PG_URL, PG_SCHEMA, BROKERS, START, HANDLER_MS.
 */
async function main(): Promise<void> {
  const env = process.env;
  const run = env.RUN as string;
  const brokers = (env.BROKERS as string).split(',');
  const dataSource = await new DataSource({
    type: 'postgres',
    url: env.PG_URL,
    schema: env.PG_SCHEMA,
    entities: [...SAGA_ENTITIES, LedgerEntryEntity],
    extra: { max: 10 },
  }).initialize();
  const say = (line: string) => process.stdout.write(`${line}\n`);
  if (env.ROLE === 'orchestrator') {
    const runtime = crashOrchestrator(run, dataSource, brokers);
    await runtime.start();
    say('READY');
    const count = Number(env.START ?? 0);
    for (let n = 0; n < count; n += 1) {
      await runtime.orchestrator.start(crashNames(run).saga, { n });
    }
    say('STARTED');
  } else {
    const runtime = crashParticipant(run, dataSource, brokers, Number(env.HANDLER_MS ?? 0), say);
    await runtime.start();
    process.once('SIGTERM', () => {
      void runtime
        .close()
        .then(() => dataSource.destroy())
        .then(() => {
          say('STOPPED');
          process.exit(0);
        });
    });
    say('READY');
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
