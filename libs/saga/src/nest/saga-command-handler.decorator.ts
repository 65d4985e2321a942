import { SetMetadata } from '@nestjs/common';
import type { PayloadSchema } from '../core/payload-schema';
import type { RejectionClasses } from '../core/rejection';
import { SAGA_COMMAND_HANDLER_METADATA } from '../saga.constants';

export interface SagaCommandHandlerOptions {
  /** Topic the command arrives on (the `channel` of the orchestrator's step). */
  readonly channel: string;
  /** Validates the payload; an invalid one goes to the dead-letter topic. */
  readonly schema?: PayloadSchema<unknown>;
  /**
   * Error classes that mean "no" (a failure reply, so the saga compensates), besides
   * SagaCommandRejectedError. Any other error is transient and the command is run again.
   */
  readonly rejects?: RejectionClasses;
}

export interface SagaCommandHandlerMetadata extends SagaCommandHandlerOptions {
  readonly command: string;
}

/**
 * Marks a provider method as the handler of a saga command, in the style of `@MessagePattern`.
 * The method gets `(payload, context)`; its return value is the success reply. A refusal
 * (`SagaCommandRejectedError`, or a class in `rejects`) is the failure reply; any other throw is
 * transient and the command runs again. Do its writes with `context.manager`.
 */
export const SagaCommandHandler = (command: string, options: SagaCommandHandlerOptions) =>
  SetMetadata<string, SagaCommandHandlerMetadata>(SAGA_COMMAND_HANDLER_METADATA, {
    command,
    ...options,
  });
