import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { epochMs } from '../core/epoch-ms.transformer';

@Entity({ name: 'herd_saga_outbox' })
@Index('herd_saga_outbox_unsent_idx', ['id'], { where: 'sent_at IS NULL' })
@Index('herd_saga_outbox_sent_idx', ['sentAt'])
export class OutboxMessageEntity {
  /** Insertion order = publish order. */
  @PrimaryGeneratedColumn()
  id: number;

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

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt: number;

  @Column({ name: 'sent_at', type: 'bigint', nullable: true, transformer: epochMs })
  sentAt: number | null;

  /**
   * Set when the writing process publishes the row itself right after commit: until then other
   * relays leave it alone; if that process dies, any relay takes it once the lease is over.
   */
  @Column({ name: 'lease_until', type: 'bigint', nullable: true, transformer: epochMs })
  leaseUntil: number | null;
}
