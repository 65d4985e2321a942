/** A provisioning step failed: names the step and the log to read, so the fix is one look away. */
export class InfraStepError extends Error {
  constructor(
    readonly step: string,
    reason: string,
    readonly logFile?: string,
  ) {
    super(`infra step "${step}" failed: ${reason}${logFile ? ` (log: ${logFile})` : ''}`);
    this.name = 'InfraStepError';
  }
}
