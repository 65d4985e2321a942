/** A service's environment is wrong: names the key, so boot fails with the fix in the message. */
export class ServiceConfigError extends Error {
  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(`invalid configuration ${key}: ${reason}`);
    this.name = 'ServiceConfigError';
  }
}
