import { SagaError } from './saga.error';

/**
 * No registered definition for a name/version. A running instance needs the exact version it
 * started on: keep old versions registered until their instances finish.
 */
export class UnknownSagaDefinitionError extends SagaError {
  constructor(
    readonly sagaName: string,
    readonly version?: number,
  ) {
    super(
      version === undefined
        ? `no saga definition named "${sagaName}" is registered in SagaModule "definitions"`
        : `saga "${sagaName}" version ${version} is not registered: keep it in "definitions" until its instances finish`,
    );
  }
}
