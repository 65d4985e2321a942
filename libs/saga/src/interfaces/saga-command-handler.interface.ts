import type { EntityManager } from 'typeorm';
import type { PayloadSchema } from '../core/payload-schema';
import type { RejectionClasses } from '../core/rejection';
import type { SagaEnvelope } from '../core/saga-envelope';

export interface SagaCommandContext {
  /** The transaction that also records the inbox id and the reply: do the command's writes here. */
  readonly manager: EntityManager;
  readonly envelope: SagaEnvelope;
}

export type SagaCommandHandlerFn<P = unknown, R = unknown> = (
  payload: P,
  context: SagaCommandContext,
) => Promise<R> | R;

/** A participant handler registered with the runtime (the Nest decorator produces these). */
export interface SagaCommandHandlerRegistration {
  /** Message type, e.g. `credit.reserve`. */
  readonly command: string;
  /** Topic the command arrives on. */
  readonly channel: string;
  readonly schema?: PayloadSchema<unknown>;
  /** Business refusals besides SagaCommandRejectedError; see SagaCommandHandlerOptions. */
  readonly rejects?: RejectionClasses;
  readonly handle: SagaCommandHandlerFn;
}
