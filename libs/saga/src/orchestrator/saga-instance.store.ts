import type { EntityManager } from 'typeorm';
import type { SqlDialect } from '../core/sql-dialect';
import { SagaInstanceEntity } from './saga-instance.entity';

const COLUMNS = [
  'id',
  'saga_type',
  'definition_version',
  'state',
  'step_index',
  'attempt',
  'data',
  'awaiting_message_id',
  'deadline_at',
  'step_started_at',
  'failure_reason',
  'correlation_id',
  'traceparent',
  'created_at',
  'updated_at',
  'history',
] as const;

const MUTABLE = COLUMNS.filter(
  (c) =>
    ![
      'id',
      'saga_type',
      'definition_version',
      'correlation_id',
      'traceparent',
      'created_at',
    ].includes(c),
);

type Row = Record<(typeof COLUMNS)[number], unknown>;

/**
 * The orchestrator's per-message reads and writes as plain SQL: they run for every reply, and
 * the query builder's per-statement work showed up in the benchmark. Same columns and JSON
 * encoding as SagaInstanceEntity, so repository reads (queries, lists) see the same rows.
 */
export class SagaInstanceStore {
  private readonly table: string;

  constructor(private readonly dialect: SqlDialect) {
    this.table = dialect.table(SagaInstanceEntity);
  }

  async insert(manager: EntityManager, instance: SagaInstanceEntity): Promise<void> {
    const row = toRow(instance);
    await manager.query(
      `INSERT INTO ${this.table} (${COLUMNS.join(', ')}) VALUES (${this.dialect.params(COLUMNS.length)})`,
      COLUMNS.map((c) => row[c]),
    );
  }

  /** Loads and row-locks (PostgreSQL) the instance until the transaction ends. */
  async lock(manager: EntityManager, id: string): Promise<SagaInstanceEntity | undefined> {
    const lock = this.dialect.postgres ? ' FOR UPDATE' : '';
    const rows: Row[] = await manager.query(
      `SELECT ${COLUMNS.join(', ')} FROM ${this.table} WHERE id = ${this.dialect.param(1)}${lock}`,
      [id],
    );
    return rows[0] && fromRow(rows[0]);
  }

  async update(manager: EntityManager, instance: SagaInstanceEntity): Promise<void> {
    const row = toRow(instance);
    const set = MUTABLE.map((c, i) => `${c} = ${this.dialect.param(i + 1)}`).join(', ');
    await manager.query(
      `UPDATE ${this.table} SET ${set} WHERE id = ${this.dialect.param(MUTABLE.length + 1)}`,
      [...MUTABLE.map((c) => row[c]), instance.id],
    );
  }
}

function toRow(i: SagaInstanceEntity): Row {
  return {
    id: i.id,
    saga_type: i.sagaType,
    definition_version: i.definitionVersion,
    state: i.state,
    step_index: i.stepIndex,
    attempt: i.attempt,
    data: JSON.stringify(i.data),
    awaiting_message_id: i.awaitingMessageId,
    deadline_at: i.deadlineAt,
    step_started_at: i.stepStartedAt,
    failure_reason: i.failureReason,
    correlation_id: i.correlationId,
    traceparent: i.traceparent,
    created_at: i.createdAt,
    updated_at: i.updatedAt,
    history: JSON.stringify(i.history),
  };
}

function fromRow(row: Row): SagaInstanceEntity {
  const num = (v: unknown) => (v === null ? null : Number(v));
  return Object.assign(new SagaInstanceEntity(), {
    id: row.id as string,
    sagaType: row.saga_type as string,
    definitionVersion: Number(row.definition_version),
    state: row.state as SagaInstanceEntity['state'],
    stepIndex: Number(row.step_index),
    attempt: Number(row.attempt),
    data: JSON.parse(row.data as string) as object,
    awaitingMessageId: row.awaiting_message_id as string | null,
    deadlineAt: num(row.deadline_at),
    stepStartedAt: Number(row.step_started_at),
    failureReason: row.failure_reason as string | null,
    correlationId: row.correlation_id as string,
    traceparent: row.traceparent as string,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    history: JSON.parse(row.history as string) as SagaInstanceEntity['history'],
  });
}
