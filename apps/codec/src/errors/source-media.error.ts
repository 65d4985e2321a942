import { SagaCommandRejectedError } from '@herd/saga';

/**
 * The original cannot become renditions (not media, undecodable, too large, gone): a business
 * refusal, answered to the saga with this readable reason, never retried.
 */
export class SourceMediaError extends SagaCommandRejectedError {
  constructor(reason: string) {
    super(reason, false);
  }
}
