import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintNumber } from '../core/bigint-number.transformer';

/** An outbox row the broker kept refusing, parked for an operator (`SagaDeadLetters`). */
@Entity({ name: 'herd_saga_dead_letter' })
@Index('herd_saga_dead_letter_parked_idx', ['parkedAt'])
export class OutboxDeadLetterEntity {
  /** The outbox id it had. */
  @PrimaryColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'varchar', length: 249 })
  topic: string;

  @Column({ name: 'message_key', type: 'varchar', length: 200 })
  key: string;

  @Column({ name: 'message_id', type: 'varchar', length: 64 })
  messageId: string;

  @Column({ type: 'simple-json' })
  headers: Record<string, string>;

  @Column({ type: 'text' })
  value: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: bigintNumber })
  createdAt: number;

  /** The broker's last refusal, e.g. `MESSAGE_TOO_LARGE: …`. */
  @Column({ type: 'text' })
  reason: string;

  @Column({ type: 'int' })
  attempts: number;

  @Column({ name: 'parked_at', type: 'bigint', transformer: bigintNumber })
  parkedAt: number;
}
