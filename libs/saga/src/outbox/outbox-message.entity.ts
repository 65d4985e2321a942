import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { bigintNumber } from '../core/bigint-number.transformer';
import { OutboxRowColumns } from './outbox-row.columns';

@Entity({ name: 'herd_saga_outbox' })
@Index('herd_saga_outbox_unsent_idx', ['id'], { where: 'sent_at IS NULL' })
@Index('herd_saga_outbox_sent_idx', ['sentAt'])
// The relay's per-saga order check: is there an earlier unsent row with this key?
@Index('herd_saga_outbox_unsent_key_idx', ['key', 'id'], { where: 'sent_at IS NULL' })
export class OutboxMessageEntity extends OutboxRowColumns {
  /**
   * Insertion order = publish order within a saga. 64-bit (a 32-bit serial runs out after about
   * 41 days at 300 sagas/s), so TypeORM reads it as a string.
   */
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'BY DEFAULT' })
  id: string;

  @Column({ name: 'sent_at', type: 'bigint', nullable: true, transformer: bigintNumber })
  sentAt: number | null;

  /**
   * Set when the writing process publishes the row itself right after commit: until then other
   * relays leave it alone; if that process dies, any relay takes it once the lease is over.
   */
  @Column({ name: 'lease_until', type: 'bigint', nullable: true, transformer: bigintNumber })
  leaseUntil: number | null;

  /** Publishes the broker refused; after `relay.maxAttempts` the row moves to the dead letters. */
  @Column({ type: 'int', default: 0 })
  attempts: number;

  /** A refused row is not claimed again before this time (exponential backoff). */
  @Column({ name: 'retry_at', type: 'bigint', nullable: true, transformer: bigintNumber })
  retryAt: number | null;
}
