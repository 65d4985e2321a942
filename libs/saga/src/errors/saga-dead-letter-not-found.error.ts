import { SagaError } from './saga.error';

/** Replay or drop of a dead-letter id that is not (or no longer) parked. */
export class SagaDeadLetterNotFoundError extends SagaError {
  constructor(readonly deadLetterId: string) {
    super(`dead letter "${deadLetterId}" not found`);
  }
}
