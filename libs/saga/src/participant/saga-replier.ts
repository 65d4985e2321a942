import type { EntityManager } from 'typeorm';
import type { SagaReplyError } from '../core/saga-envelope';
import type { Outbox } from '../outbox/outbox';
import { assertPendingCommand, type PendingCommand } from './deferred-reply';
import { replyEnvelope } from './reply-envelope';

/**
 * Answers a command that its handler deferred (`deferReply()`), in the caller's transaction: the
 * reply reaches the outbox only if that transaction commits, together with the work's results.
 * Relays wake on the commit's NOTIFY (PostgreSQL) or on their next poll.
 */
export class SagaReplier {
  constructor(private readonly outbox: Outbox) {}

  async succeed(manager: EntityManager, command: PendingCommand, payload: unknown): Promise<void> {
    await this.write(manager, command, 'success', payload ?? null);
  }

  /** `retryable` lets the step's retry policy send the command again; otherwise it compensates. */
  async fail(
    manager: EntityManager,
    command: PendingCommand,
    reason: string,
    retryable = false,
  ): Promise<void> {
    await this.write(manager, command, 'failure', null, { message: reason, retryable });
  }

  private async write(
    manager: EntityManager,
    command: PendingCommand,
    outcome: 'success' | 'failure',
    payload: unknown,
    error?: SagaReplyError,
  ): Promise<void> {
    assertPendingCommand(command);
    const envelope = replyEnvelope(command, outcome, payload, error);
    await this.outbox.write(manager, [{ topic: command.replyTo as string, envelope }], {
      notify: true,
    });
  }
}
