import { Column } from 'typeorm';
import { bigintNumber } from '../core/bigint-number.transformer';

/**
 * The message an outbox row carries: the columns the outbox and its dead letters share, so a row
 * parked for an operator is the very message it was (TypeORM inherits columns from it).
 */
export abstract class OutboxRowColumns {
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
}
