import { DataSource } from 'typeorm';
import { TERMINAL_SAGA_STATES } from '../core/saga-state';
import type { SagaView } from '../interfaces/saga-view.interface';
import type { SagaRuntime } from '../saga-runtime';
import { SAGA_ENTITIES } from '../saga.entities';
import { waitFor } from './wait-for';

/** A fresh in-memory SQLite with the saga tables: one per runtime of a unit spec. */
export function sagaSqlite(): Promise<DataSource> {
  return new DataSource({
    type: 'better-sqlite3',
    database: ':memory:',
    entities: SAGA_ENTITIES,
    synchronize: true,
  }).initialize();
}

/** Waits until the saga `id` of `orchestrator` reaches a terminal state, and returns its view. */
export function sagaEnd(
  orchestrator: SagaRuntime,
  id: string,
  timeoutMs: number,
): Promise<SagaView> {
  return waitFor<SagaView>(
    async () => {
      const view = await orchestrator.orchestrator.findById(id);
      return TERMINAL_SAGA_STATES.includes(view.state) ? view : undefined;
    },
    `saga ${id} to end`,
    timeoutMs,
  );
}
