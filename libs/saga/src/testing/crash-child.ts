import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { SagaInstanceEntity } from '../orchestrator/saga-instance.entity';
import { SAGA_ENTITIES } from '../saga.entities';
import { crashNames, crashOrchestrator, crashParticipant } from './crash-saga';
import { LedgerEntryEntity } from './ledger-entry.entity';

/**
 * Child process of saga-crash.int-spec.ts and the chaos suite (test/chaos): runs one role until
 * SIGKILLed, or until SIGTERM, which closes the runtime the way a Nest app's shutdown hooks do
 * (drain, commit, close).
 * Env: ROLE (orchestrator|participant), RUN, PG_URL, PG_SCHEMA, BROKERS, START or TOTAL and
 * EVERY_MS, HANDLER_MS.
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
    // START sagas; or, with TOTAL, as many as the run still lacks (a replacement started after a
    // kill starts only the rest), EVERY_MS apart.
    const saga = crashNames(run).saga;
    const total = env.TOTAL === undefined ? Number(env.START ?? 0) : Number(env.TOTAL);
    let n =
      env.TOTAL === undefined
        ? 0
        : await dataSource.manager.countBy(SagaInstanceEntity, { sagaType: saga });
    for (; n < total; n += 1) {
      await runtime.orchestrator.start(saga, { n });
      if (env.EVERY_MS) await sleep(Number(env.EVERY_MS));
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
