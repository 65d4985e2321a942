import { SagaCommandRejectedError } from '@herd/saga';

/** The source cannot be transcoded (missing, unreadable, unsupported): a business refusal. */
export class SourceMediaError extends SagaCommandRejectedError {
  constructor(reason: string) {
    super(reason, false);
    this.name = 'SourceMediaError';
  }
}
