import { SagaError } from './saga.error';

/** A saga definition that cannot run (no steps, duplicate step names, bad timeout...). */
export class SagaDefinitionError extends SagaError {
  constructor(sagaName: string, problem: string) {
    super(`saga definition "${sagaName}": ${problem}`);
  }
}
