import type { EntityManager } from 'typeorm';
import type { SqlDialect, SqlStatement } from '../core/sql-dialect';
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
 * The orchestrator's per-message reads and writes as plain SQL, built once: they run for every
 * reply, and the query builder's per-statement work showed up in the benchmark. The writes are
 * statements for the outbox to run with the rows they send (one round trip). Same columns and JSON
 * encoding as SagaInstanceEntity, so repository reads (queries, lists) see the same rows.
 */
export class SagaInstanceStore {
  private readonly insertSql: string;
  private readonly lockSql: string;
  private readonly updateSql: string;

  constructor(dialect: SqlDialect) {
    const table = dialect.table(SagaInstanceEntity);
    this.insertSql = `INSERT INTO ${table} (${COLUMNS.join(', ')}) VALUES (${dialect.params(COLUMNS.length)})`;
    this.lockSql =
      `SELECT ${COLUMNS.join(', ')} FROM ${table} WHERE id = ${dialect.param(1)}` +
      (dialect.postgres ? ' FOR UPDATE' : '');
    const set = MUTABLE.map((c, i) => `${c} = ${dialect.param(i + 1)}`).join(', ');
    this.updateSql = `UPDATE ${table} SET ${set} WHERE id = ${dialect.param(MUTABLE.length + 1)}`;
  }

  insert(instance: SagaInstanceEntity): SqlStatement {
    const row = toRow(instance);
    return { sql: this.insertSql, params: COLUMNS.map((c) => row[c]) };
  }

  /** Loads and row-locks (PostgreSQL) the instance until the transaction ends. */
  async lock(manager: EntityManager, id: string): Promise<SagaInstanceEntity | undefined> {
    const rows: Row[] = await manager.query(this.lockSql, [id]);
    return rows[0] && fromRow(rows[0]);
  }

  update(instance: SagaInstanceEntity): SqlStatement {
    const row = toRow(instance);
    return { sql: this.updateSql, params: [...MUTABLE.map((c) => row[c]), instance.id] };
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
