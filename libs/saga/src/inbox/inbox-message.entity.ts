import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintNumber } from '../core/bigint-number.transformer';

@Entity({ name: 'herd_saga_inbox' })
@Index('herd_saga_inbox_processed_idx', ['processedAt'])
export class InboxMessageEntity {
  /** The consumer group: two services consuming one topic keep separate inboxes. */
  @PrimaryColumn({ type: 'varchar', length: 200 })
  consumer: string;

  @PrimaryColumn({ name: 'message_id', type: 'varchar', length: 64 })
  messageId: string;

  @Column({ name: 'processed_at', type: 'bigint', transformer: bigintNumber })
  processedAt: number;
}
