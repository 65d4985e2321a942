import { SagaError } from './saga.error';

/** Misconfiguration found at boot; `key` names the option to fix. */
export class SagaOptionsError extends SagaError {
  constructor(
    readonly key: string,
    problem: string,
  ) {
    super(`SagaModule option "${key}" ${problem}`);
  }
}
