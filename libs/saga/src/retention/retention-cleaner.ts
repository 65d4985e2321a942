import { In, LessThan, type DataSource } from 'typeorm';
import { InboxMessageEntity } from '../inbox/inbox-message.entity';
import { SagaInstanceEntity } from '../orchestrator/saga-instance.entity';
import { OutboxMessageEntity } from '../outbox/outbox-message.entity';
import { TERMINAL_SAGA_STATES } from '../core/saga-state';

export interface RetentionOptions {
  /** How often the cleanup runs. Default: 60000. */
  readonly intervalMs: number;
  /** Sent outbox rows older than this are deleted. Default: 1 hour. */
  readonly sentOutboxMs: number;
  /**
   * Inbox ids older than this are deleted. Must exceed the longest time a command can be
   * redelivered (consumer lag + retries), or a late duplicate would run twice. Default: 7 days.
   */
  readonly inboxMs: number;
  /** Terminal saga instances older than this are deleted; unset keeps them forever. */
  readonly terminalSagasMs?: number;
}

export interface RetentionResult {
  readonly outbox: number;
  readonly inbox: number;
  readonly sagas: number;
}

/** Keeps the outbox and inbox from growing forever. */
export class RetentionCleaner {
  constructor(
    private readonly dataSource: DataSource,
    private readonly options: RetentionOptions,
  ) {}

  async clean(now = Date.now()): Promise<RetentionResult> {
    const { manager } = this.dataSource;
    const outbox = await manager.delete(OutboxMessageEntity, {
      sentAt: LessThan(now - this.options.sentOutboxMs),
    });
    const inbox = await manager.delete(InboxMessageEntity, {
      processedAt: LessThan(now - this.options.inboxMs),
    });
    let sagas = 0;
    if (this.options.terminalSagasMs !== undefined) {
      const result = await manager.delete(SagaInstanceEntity, {
        // FAILED sagas wait for an operator: never deleted by retention.
        state: In(TERMINAL_SAGA_STATES.filter((s) => s !== 'FAILED')),
        updatedAt: LessThan(now - this.options.terminalSagasMs),
      });
      sagas = result.affected ?? 0;
    }
    return { outbox: outbox.affected ?? 0, inbox: inbox.affected ?? 0, sagas };
  }
}
