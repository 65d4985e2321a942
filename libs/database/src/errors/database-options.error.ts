import { DatabaseError } from './database.error';

/** A misconfigured option: raised at boot, naming the option key so the fix is obvious. */
export class DatabaseOptionsError extends DatabaseError {
  readonly retryable = false;

  constructor(
    readonly service: string,
    readonly optionKey: string,
    problem: string,
  ) {
    super(`DatabaseModule.forService('${service}'): option "${optionKey}" ${problem}`);
  }
}
