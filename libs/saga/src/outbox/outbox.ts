import type { DataSource, EntityManager } from 'typeorm';
import { encodeEnvelope, type SagaEnvelope } from '../core/saga-envelope';
import { SqlDialect } from '../core/sql-dialect';
import { SAGA_HEADERS } from '../saga.constants';
import { OutboxMessageEntity } from './outbox-message.entity';

/**
 * Writes messages in the caller's transaction; nothing reaches the broker unless that transaction
 * commits. Transactions the lib commits itself wake the local relay directly; for the caller's own
 * transactions (`notify`), PostgreSQL queues a NOTIFY, delivered at commit, that wakes the relays.
 */
export class Outbox {
  readonly dialect: SqlDialect;
  readonly channel: string;

  constructor(dataSource: DataSource) {
    this.dialect = new SqlDialect(dataSource);
    this.channel = this.dialect.tablePath(OutboxMessageEntity);
  }

  async write(
    manager: EntityManager,
    messages: readonly { topic: string; envelope: SagaEnvelope }[],
    notify = false,
  ): Promise<void> {
    if (messages.length === 0) return;
    const now = Date.now();
    await manager.insert(
      OutboxMessageEntity,
      messages.map(({ topic, envelope }) => ({
        topic,
        key: envelope.sagaId,
        messageId: envelope.id,
        headers: {
          [SAGA_HEADERS.messageId]: envelope.id,
          [SAGA_HEADERS.messageType]: envelope.type,
          [SAGA_HEADERS.sagaId]: envelope.sagaId,
          [SAGA_HEADERS.traceparent]: envelope.traceparent,
        },
        value: encodeEnvelope(envelope),
        createdAt: now,
        sentAt: null,
      })),
    );
    if (notify && this.dialect.postgres)
      await manager.query('SELECT pg_notify($1, NULL)', [this.channel]);
  }
}
