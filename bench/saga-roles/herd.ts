import { randomUUID } from 'node:crypto';
import { defineSaga, SagaRuntime } from '@herd/saga';
import type { DataSource } from 'typeorm';
import { LedgerEntryEntity } from '../../libs/saga/src/testing/ledger-entry.entity';
import { startRoleProcess } from './role-process';

/** What both of Herd's roles are configured with. */
export interface HerdRoleOptions {
  readonly run: string;
  readonly brokers: string[];
  readonly partitions: number;
}

const COMMANDS = ['bench.one', 'bench.two', 'bench.undo'] as const;

function transport({ run, brokers, partitions }: HerdRoleOptions) {
  return {
    type: 'kafka' as const,
    brokers,
    clientId: `bench-${run}`,
    numPartitions: partitions,
    partitionsConsumedConcurrently: partitions,
  };
}

const channelOf = (run: string) => `herd-bench.saga.${run}`;

/** @herd/saga's participant (run in its own process by herd-participant.ts). */
export async function herdParticipant(options: HerdRoleOptions, dataSource: DataSource) {
  const participant = new SagaRuntime({
    dataSource,
    serviceName: `bench-credit-${options.run}`,
    transport: transport(options),
  });
  const ledger = dataSource.getMetadata(LedgerEntryEntity).tablePath;
  for (const command of COMMANDS) {
    participant.registerHandler({
      command,
      channel: channelOf(options.run),
      handle: async (_p, { manager, envelope }) => {
        // The same business write as the floor's, so the difference is the library's own work.
        await manager.query('INSERT INTO ' + ledger + ' (saga_id, kind) VALUES ($1, $2)', [
          envelope.sagaId,
          command,
        ]);
      },
    });
  }
  await participant.start();
  return participant;
}

/**
 * @herd/saga: the orchestrator runtime in this process, the participant in a second one, each
 * with its own schema. The participant's topics exist once it is ready, so it starts first.
 */
export async function herdSaga(
  options: HerdRoleOptions & { url: string; participantSchema: string; poolSize: number },
  orchestratorDb: DataSource,
) {
  const { run } = options;
  const participant = await startRoleProcess('herd-participant.ts', {
    RUN: run,
    BROKERS: options.brokers.join(','),
    PARTITIONS: String(options.partitions),
    PG_URL: options.url,
    SCHEMA: options.participantSchema,
    POOL_SIZE: String(options.poolSize),
  });
  const channel = channelOf(run);
  const saga = defineSaga<{ n: number }>(`bench-${run}`, 1)
    .remote('one', {
      channel,
      command: 'bench.one',
      payload: (d) => d,
      compensate: { command: 'bench.undo', payload: (d) => d },
    })
    .remote('two', { channel, command: 'bench.two', payload: (d) => d })
    .build();
  const orchestrator = new SagaRuntime({
    dataSource: orchestratorDb,
    serviceName: `bench-orders-${run}`,
    transport: transport(options),
    definitions: [saga],
  });
  await orchestrator.start();
  const waiting = new Map<string, () => void>();
  orchestrator.orchestrator.onStateChange((change) => {
    if (change.to !== 'RUNNING' && change.to !== 'COMPENSATING') waiting.get(change.sagaId)?.();
  });
  let n = 0;
  const runOne = async () => {
    const sagaId = randomUUID();
    const done = new Promise<void>((resolve) => waiting.set(sagaId, resolve));
    await orchestrator.orchestrator.start(saga.name, { n: n++ }, { sagaId });
    await done;
    waiting.delete(sagaId);
  };
  return {
    runOne,
    participant,
    topics: [channel, `bench-orders-${run}.saga-replies`],
    close: async () => {
      await orchestrator.close();
      await participant.stop();
    },
  };
}
