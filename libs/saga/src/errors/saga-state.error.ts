import { SagaError } from './saga.error';

/** An operator action that the saga's current state does not allow (e.g. retrying a COMPLETED saga). */
export class SagaStateError extends SagaError {
  constructor(
    readonly sagaId: string,
    readonly state: string,
    action: string,
  ) {
    super(`saga "${sagaId}" is ${state}: cannot ${action}`);
  }
}
