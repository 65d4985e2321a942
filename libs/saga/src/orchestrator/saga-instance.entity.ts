import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintNumber } from '../core/bigint-number.transformer';
import type { SagaHistoryRecord } from '../core/saga-history';
import type { SagaState } from '../core/saga-state';

@Entity({ name: 'herd_saga_instance' })
@Index('herd_saga_instance_state_idx', ['state', 'sagaType'])
@Index('herd_saga_instance_deadline_idx', ['deadlineAt'])
export class SagaInstanceEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id: string;

  @Column({ name: 'saga_type', type: 'varchar', length: 200 })
  sagaType: string;

  @Column({ name: 'definition_version', type: 'int' })
  definitionVersion: number;

  @Column({ type: 'varchar', length: 16 })
  state: SagaState;

  @Column({ name: 'step_index', type: 'int' })
  stepIndex: number;

  @Column({ type: 'int' })
  attempt: number;

  /** JSON of the saga data (an object, array or scalar). */
  @Column({ type: 'simple-json' })
  data: object;

  /** Id of the command whose reply we wait for; null when no command is in flight. */
  @Column({ name: 'awaiting_message_id', type: 'varchar', length: 64, nullable: true })
  awaitingMessageId: string | null;

  /** When the in-flight command times out, or when a backed-off retry is due. */
  @Column({ name: 'deadline_at', type: 'bigint', nullable: true, transformer: bigintNumber })
  deadlineAt: number | null;

  @Column({ name: 'step_started_at', type: 'bigint', transformer: bigintNumber })
  stepStartedAt: number;

  @Column({ name: 'failure_reason', type: 'text', nullable: true })
  failureReason: string | null;

  @Column({ name: 'correlation_id', type: 'varchar', length: 64 })
  correlationId: string;

  @Column({ type: 'varchar', length: 55 })
  traceparent: string;

  /** Commands sent, replies, timeouts, compensations and operator actions, oldest first. */
  @Column({ type: 'simple-json', default: '[]' })
  history: SagaHistoryRecord[];

  @Column({ name: 'created_at', type: 'bigint', transformer: bigintNumber })
  createdAt: number;

  @Column({ name: 'updated_at', type: 'bigint', transformer: bigintNumber })
  updatedAt: number;
}
