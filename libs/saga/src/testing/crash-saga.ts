import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource } from 'typeorm';
import { defineSaga } from '../core/saga-definition.builder';
import { SagaRuntime } from '../saga-runtime';
import { LedgerEntryEntity } from './ledger-entry.entity';

/** Names shared by the crash suite and the child processes it SIGKILLs. */
export function crashNames(run: string) {
  return {
    saga: `crash-${run}`,
    orchestrator: `crash-orders-${run}`,
    participant: `crash-credit-${run}`,
    channel: `herd-saga-crash.${run}`,
  };
}

export function crashSaga(run: string) {
  const names = crashNames(run);
  return defineSaga<{ n: number }>(names.saga, 1)
    .remote('reserve', {
      channel: names.channel,
      command: 'crash.reserve',
      payload: (d) => d,
      compensate: { command: 'crash.release', payload: (d) => d },
      timeoutMs: 120_000,
    })
    .remote('ship', {
      channel: names.channel,
      command: 'crash.ship',
      payload: (d) => d,
      timeoutMs: 120_000,
    })
    .build();
}

const kafkaTuning = { sessionTimeoutMs: 6_000, heartbeatIntervalMs: 1_000 };

export function crashOrchestrator(run: string, dataSource: DataSource, brokers: string[]) {
  return new SagaRuntime({
    dataSource,
    serviceName: crashNames(run).orchestrator,
    transport: { type: 'kafka', brokers, clientId: `crash-${run}`, ...kafkaTuning },
    definitions: [crashSaga(run)],
    timeoutCheckIntervalMs: 500,
    relay: { pollIntervalMs: 200, leaseMs: 2_000 },
  });
}

/**
 * The participant writes its effect, announces it on stdout, then (for `reserve`) lingers
 * `handlerMs` inside the still-open transaction: a SIGKILL during that time loses the effect.
 */
export function crashParticipant(
  run: string,
  dataSource: DataSource,
  brokers: string[],
  handlerMs: number,
  announce: (line: string) => void,
) {
  const names = crashNames(run);
  const runtime = new SagaRuntime({
    dataSource,
    serviceName: names.participant,
    transport: { type: 'kafka', brokers, clientId: `crash-${run}`, ...kafkaTuning },
    relay: { pollIntervalMs: 200, leaseMs: 2_000 },
  });
  for (const kind of ['reserve', 'release', 'ship']) {
    runtime.registerHandler({
      command: `crash.${kind}`,
      channel: names.channel,
      handle: async (_payload, { manager, envelope }) => {
        await manager.insert(LedgerEntryEntity, { sagaId: envelope.sagaId, kind });
        announce(`HANDLING ${kind} ${envelope.sagaId}`);
        if (kind === 'reserve') await sleep(handlerMs);
      },
    });
  }
  return runtime;
}
