import { SagaError } from './saga.error';

/**
 * A definition's own function (`payload`, `onReply`) threw: no retry can fix it, so the saga goes
 * FAILED with this as its reason and the messages and deadlines of other sagas go on.
 */
export class SagaUserFunctionError extends SagaError {
  constructor(where: string, fn: string, cause: unknown) {
    super(`${where}: ${fn}() threw: ${(cause as Error)?.message ?? String(cause)}`);
  }
}
