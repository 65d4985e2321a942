import type { DataSource, EntityManager } from 'typeorm';
import { encodeEnvelope, type SagaEnvelope } from '../core/saga-envelope';
import { SqlDialect, type SqlStatement } from '../core/sql-dialect';
import { SAGA_HEADERS } from '../saga.constants';
import type { OutgoingMessage } from '../transport/saga-transport';
import { OutboxMessageEntity } from './outbox-message.entity';

/** A row just written; `leased` rows are published by this process once the transaction commits. */
export interface WrittenMessage extends OutgoingMessage {
  readonly id: number;
  readonly leased: boolean;
  readonly createdAt: number;
}

export interface OutboxWriteOptions {
  /** The caller commits: queue a NOTIFY so relays wake at commit. */
  readonly notify?: boolean;
  /** Lease the rows to this process for that long (PostgreSQL; see OutboxMessageEntity). */
  readonly leaseMs?: number;
}

/**
 * Writes messages in the caller's transaction; nothing reaches the broker unless that transaction
 * commits.
 */
export class Outbox {
  readonly dialect: SqlDialect;
  readonly channel: string;
  private readonly table: string;

  constructor(dataSource: DataSource) {
    this.dialect = new SqlDialect(dataSource);
    this.channel = this.dialect.tablePath(OutboxMessageEntity);
    this.table = this.dialect.table(OutboxMessageEntity);
  }

  /**
   * `before` is a statement of the same transaction that runs first (the saga instance's own
   * insert or update): on PostgreSQL both go in one statement, a round trip saved per advance.
   */
  write(
    manager: EntityManager,
    messages: readonly { topic: string; envelope: SagaEnvelope }[],
    options: OutboxWriteOptions = {},
    before?: SqlStatement,
  ): Promise<WrittenMessage[]> {
    return this.insert(
      manager,
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
      })),
      options,
      before,
    );
  }

  /** Writes encoded messages (a replayed dead letter keeps its id, headers and value). */
  async insert(
    manager: EntityManager,
    messages: readonly (OutgoingMessage & { readonly messageId: string })[],
    options: OutboxWriteOptions = {},
    before?: SqlStatement,
  ): Promise<WrittenMessage[]> {
    const { postgres } = this.dialect;
    // SQLite has no data-modifying CTE: there, and with no rows to add, `before` runs alone.
    const prefix = postgres && messages.length > 0 ? before : undefined;
    if (before && !prefix) await manager.query(before.sql, [...before.params]);
    if (messages.length === 0) return [];
    const now = Date.now();
    const leased = options.leaseMs !== undefined && postgres;
    const rows = messages.map((message) => ({
      ...message,
      createdAt: now,
      leaseUntil: leased ? now + (options.leaseMs as number) : null,
    }));
    // SQLite has no 64-bit identity column (only INTEGER PRIMARY KEY is its rowid): the ids are
    // given here, safe because SQLite has one writer at a time.
    const firstId = postgres ? undefined : await this.nextSqliteId(manager);
    const columns = firstId === undefined ? 8 : 9;
    const offset = prefix ? prefix.params.length + 1 : 1;
    const inserted: { id: number | string }[] = await manager.query(
      (prefix ? `WITH saga AS (${prefix.sql}) ` : '') +
        `INSERT INTO ${this.table} (topic, message_key, message_id, headers, value, created_at,` +
        ` sent_at, lease_until${firstId === undefined ? '' : ', id'}) VALUES ` +
        rows.map((_, i) => `(${this.dialect.params(columns, i * columns + offset)})`).join(', ') +
        ' RETURNING id',
      [
        ...(prefix?.params ?? []),
        ...rows.flatMap((r, i) => [
          r.topic,
          r.key,
          r.messageId,
          JSON.stringify(r.headers),
          r.value,
          r.createdAt,
          null,
          r.leaseUntil,
          ...(firstId === undefined ? [] : [firstId + i]),
        ]),
      ],
    );
    if (options.notify && postgres) {
      await manager.query('SELECT pg_notify($1, NULL)', [this.channel]);
    }
    return rows.map((row, i) => ({
      id: Number(inserted[i]?.id),
      leased,
      createdAt: now,
      topic: row.topic,
      key: row.key,
      value: row.value,
      headers: row.headers,
    }));
  }

  private async nextSqliteId(manager: EntityManager): Promise<number> {
    const [row]: { last: number | null }[] = await manager.query(
      `SELECT MAX(id) AS last FROM ${this.table}`,
    );
    return Number(row?.last ?? 0) + 1;
  }
}
