import type { DataSource } from 'typeorm';
import { SagaDeadLetterNotFoundError } from '../errors/saga-dead-letter-not-found.error';
import type { Outbox } from './outbox';
import { OutboxDeadLetterEntity } from './outbox-dead-letter.entity';

/** A parked outbox row as operators see it. */
export interface DeadLetterView {
  readonly id: string;
  readonly topic: string;
  readonly key: string;
  readonly messageId: string;
  readonly reason: string;
  readonly attempts: number;
  readonly createdAt: Date;
  readonly parkedAt: Date;
}

/**
 * Operator commands on outbox rows the broker kept refusing: list them, put one back into the
 * outbox once its cause is fixed (a topic created, a size limit raised), or drop it.
 */
export class SagaDeadLetters {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    /** Wakes the relay after a replay. */
    private readonly replayed: () => void,
  ) {}

  async list(limit = 100): Promise<DeadLetterView[]> {
    const rows = await this.dataSource.manager.find(OutboxDeadLetterEntity, {
      order: { parkedAt: 'ASC' },
      take: Math.min(limit, 1000),
    });
    return rows.map((r) => ({
      id: String(r.id),
      topic: r.topic,
      key: r.key,
      messageId: r.messageId,
      reason: r.reason,
      attempts: r.attempts,
      createdAt: new Date(r.createdAt),
      parkedAt: new Date(r.parkedAt),
    }));
  }

  /**
   * Writes the message back to the outbox as a new row (same message id, so the inbox still
   * drops a copy already applied) and removes it from the dead letters. It goes after whatever its
   * saga sent meanwhile.
   */
  async replay(id: string): Promise<void> {
    await this.outbox.dialect.transaction(async (manager) => {
      const row = await manager.findOneBy(OutboxDeadLetterEntity, { id });
      if (!row) throw new SagaDeadLetterNotFoundError(id);
      await this.outbox.insert(manager, [row]);
      await manager.delete(OutboxDeadLetterEntity, { id });
    });
    this.replayed();
  }

  async drop(id: string): Promise<void> {
    const result = await this.dataSource.manager.delete(OutboxDeadLetterEntity, { id });
    if (!result.affected) throw new SagaDeadLetterNotFoundError(id);
  }
}
