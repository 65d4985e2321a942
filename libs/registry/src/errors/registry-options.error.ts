import { RegistryError } from './registry.error';

/** Misconfiguration found at boot; `optionKey` names the offending option (e.g. `service.version`). */
export class RegistryOptionsError extends RegistryError {
  readonly retryable = false;

  constructor(
    readonly optionKey: string,
    problem: string,
  ) {
    super(`RegistryModule option "${optionKey}" ${problem}`);
  }
}
