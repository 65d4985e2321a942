import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintNumber } from '../core/bigint-number.transformer';
import { OutboxRowColumns } from './outbox-row.columns';

/** An outbox row the broker kept refusing, parked for an operator (`SagaDeadLetters`). */
@Entity({ name: 'herd_saga_dead_letter' })
@Index('herd_saga_dead_letter_parked_idx', ['parkedAt'])
export class OutboxDeadLetterEntity extends OutboxRowColumns {
  /** The outbox id it had. */
  @PrimaryColumn({ type: 'bigint' })
  id: string;

  /** The broker's last refusal, e.g. `MESSAGE_TOO_LARGE: …`. */
  @Column({ type: 'text' })
  reason: string;

  @Column({ type: 'int' })
  attempts: number;

  @Column({ name: 'parked_at', type: 'bigint', transformer: bigintNumber })
  parkedAt: number;
}
