import { SagaError } from './saga.error';

export type PoisonReason =
  | 'undecodable'
  | 'unknown-type'
  | 'invalid-payload'
  | 'unexpected-kind'
  | 'unknown-definition-version'
  | 'past-inbox-retention';

/**
 * A message no retry can fix: the transport moves it to the dead-letter topic and goes on with
 * the next one instead of blocking its partition.
 */
export class PoisonMessageError extends SagaError {
  constructor(
    readonly reason: PoisonReason,
    detail: string,
  ) {
    super(detail, false);
  }
}
