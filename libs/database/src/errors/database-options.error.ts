import { DatabaseError } from './database.error';

/** A misconfigured option: raised at boot, naming the option key so the fix is obvious. */
export class DatabaseOptionsError extends DatabaseError {
  readonly retryable = false;

  /** `setting`: what the user set for this option (an environment key), named instead of it. */
  constructor(
    readonly service: string,
    readonly optionKey: string,
    problem: string,
    setting?: string,
  ) {
    super(
      setting
        ? `Service '${service}': ${setting} ${problem}`
        : `DatabaseModule.forService('${service}'): option "${optionKey}" ${problem}`,
    );
  }
}
