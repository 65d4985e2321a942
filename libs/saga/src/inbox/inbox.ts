import type { EntityManager } from 'typeorm';
import type { SqlDialect } from '../core/sql-dialect';
import { InboxMessageEntity } from './inbox-message.entity';

/**
 * Processed message ids, written in the handler's transaction: a redelivered command finds its id
 * and is skipped, so its effect happens once.
 */
export class Inbox {
  constructor(
    private readonly dialect: SqlDialect,
    private readonly consumer: string,
  ) {}

  /** True when the id was recorded now; false when it had been processed before. */
  async record(manager: EntityManager, messageId: string): Promise<boolean> {
    const table = this.dialect.table(InboxMessageEntity);
    const now = Date.now();
    if (this.dialect.postgres) {
      // A concurrent duplicate waits on the key and then gets no row back.
      const rows: unknown[] = await manager.query(
        `INSERT INTO ${table} (consumer, message_id, processed_at) VALUES ($1, $2, $3)` +
          ` ON CONFLICT DO NOTHING RETURNING message_id`,
        [this.consumer, messageId, now],
      );
      return rows.length === 1;
    }
    const seen = await manager.exists(InboxMessageEntity, {
      where: { consumer: this.consumer, messageId },
    });
    if (seen) return false;
    await manager.insert(InboxMessageEntity, {
      consumer: this.consumer,
      messageId,
      processedAt: now,
    });
    return true;
  }
}
