import { Logger } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { parseWith } from '../core/payload-schema';
import type { SagaEnvelope, SagaReplyError } from '../core/saga-envelope';
import { PoisonMessageError } from '../errors/poison-message.error';
import { isRejection, rejectionRetryable } from '../core/rejection';
import { SagaError } from '../errors/saga.error';
import { SagaPayloadInvalidError } from '../errors/saga-payload-invalid.error';
import type { Inbox } from '../inbox/inbox';
import type { SagaCommandHandlerRegistration } from '../interfaces/saga-command-handler.interface';
import type { Outbox, WrittenMessage } from '../outbox/outbox';
import { isDeferredReply } from './deferred-reply';
import { replyEnvelope } from './reply-envelope';

/**
 * Runs a command handler and writes its inbox id and reply in one transaction. A handler that
 * refuses (SagaCommandRejectedError or a class in its `rejects`) has its writes rolled back and the
 * failure reply recorded in a second transaction; any other error rolls back and is rethrown, so
 * the command is run again (transient: a deadlock, a lost connection).
 */
export class ParticipantDispatcher {
  private readonly logger = new Logger(ParticipantDispatcher.name);
  private readonly handlers = new Map<string, SagaCommandHandlerRegistration>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly inbox: Inbox,
    private readonly leaseMs: number,
    /** Ids older than this are gone from the inbox: such a command cannot be deduplicated. */
    private readonly inboxRetentionMs: number,
  ) {}

  register(registration: SagaCommandHandlerRegistration): void {
    if (this.handlers.has(registration.command)) {
      throw new SagaError(`two handlers registered for saga command "${registration.command}"`);
    }
    this.handlers.set(registration.command, registration);
  }

  get channels(): string[] {
    return [...new Set([...this.handlers.values()].map((h) => h.channel))];
  }

  get size(): number {
    return this.handlers.size;
  }

  /** Returns the reply written (to hand to the relay after commit); none for a duplicate. */
  async dispatch(command: SagaEnvelope): Promise<WrittenMessage[]> {
    const handler = this.handlers.get(command.type);
    if (!handler) {
      throw new PoisonMessageError('unknown-type', `no handler for command "${command.type}"`);
    }
    // A replay from the beginning (group renamed, offsets expired) must not apply again what the
    // purged inbox no longer remembers: such a command goes to the dead-letter topic instead.
    const age = Date.now() - command.timestamp;
    if (age > this.inboxRetentionMs) {
      throw new PoisonMessageError(
        'past-inbox-retention',
        `command ${command.id} is ${age} ms old, older than the inbox keeps ids (${this.inboxRetentionMs} ms)`,
      );
    }
    let payload: unknown;
    try {
      payload = parseWith(handler.schema, command.payload, `payload of "${command.type}"`);
    } catch (error) {
      if (error instanceof SagaPayloadInvalidError) {
        throw new PoisonMessageError('invalid-payload', error.message);
      }
      throw error;
    }
    let failure: SagaReplyError | undefined;
    try {
      return await this.outbox.dialect.transaction(async (manager) => {
        if (!(await this.inbox.record(manager, command.id))) return [];
        let result: unknown;
        try {
          result = await handler.handle(payload, { manager, envelope: command });
        } catch (error) {
          if (isRejection(error, handler.rejects)) {
            failure = { message: (error as Error).message, retryable: rejectionRetryable(error) };
          }
          throw error;
        }
        if (isDeferredReply(result)) return [];
        return this.reply(manager, command, 'success', result ?? null);
      });
    } catch (error) {
      // Only the handler's declared refusal is an answer; anything else, and failing to record
      // the answer (database down, commit failed), leaves the command to be run again.
      if (!failure) throw error;
    }
    this.logger.debug?.(`command ${command.type} ${command.id} failed: ${failure.message}`);
    return this.outbox.dialect.transaction(async (manager) => {
      if (!(await this.inbox.record(manager, command.id))) return [];
      return this.reply(manager, command, 'failure', null, failure as SagaReplyError);
    });
  }

  private async reply(
    manager: EntityManager,
    command: SagaEnvelope,
    outcome: 'success' | 'failure',
    payload: unknown,
    error?: SagaReplyError,
  ): Promise<WrittenMessage[]> {
    const reply = replyEnvelope(command, outcome, payload, error);
    return this.outbox.write(manager, [{ topic: command.replyTo as string, envelope: reply }], {
      leaseMs: this.leaseMs,
    });
  }
}
