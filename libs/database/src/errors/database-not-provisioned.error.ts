import { DatabaseError } from './database.error';

/**
 * The service's role, database or schema does not exist and provisioning is not allowed here
 * (it is a development convenience): the message lists the SQL an operator must run.
 */
export class DatabaseNotProvisionedError extends DatabaseError {
  readonly retryable = false;

  constructor(
    readonly service: string,
    readonly problem: string,
    readonly statements: readonly string[],
    options?: { cause?: unknown; adminSetting?: string },
  ) {
    super(
      `Database for service '${service}' is not provisioned: ${problem}. ` +
        `Create it as a superuser (or set ${options?.adminSetting ?? 'the "provision.adminUrl" option'} in development):\n` +
        statements.map((s) => `  ${s}`).join('\n'),
      options,
    );
  }
}
