import { SagaError } from './saga.error';

/**
 * Thrown by a participant handler to refuse a command on business grounds: the handler's writes
 * roll back and the orchestrator gets a failure reply. `retryable` lets the step's retry policy
 * resend the command; otherwise the saga compensates.
 */
export class SagaCommandRejectedError extends SagaError {
  constructor(reason: string, retryable = false) {
    super(reason, retryable);
  }
}
