import { SagaError } from './saga.error';

/** Saga data or a message payload rejected by its schema. */
export class SagaPayloadInvalidError extends SagaError {
  constructor(
    readonly subject: string,
    readonly details: string,
  ) {
    super(`${subject} is invalid: ${details}`);
  }
}
