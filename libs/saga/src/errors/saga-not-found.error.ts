import { SagaError } from './saga.error';

/** Query or operator action on a saga id this service does not hold. */
export class SagaNotFoundError extends SagaError {
  constructor(readonly sagaId: string) {
    super(`saga "${sagaId}" not found`);
  }
}
