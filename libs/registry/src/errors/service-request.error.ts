import { RegistryError } from './registry.error';

/**
 * A call to another service failed on every instance tried (connection refused, timeout, 5xx,
 * or every circuit open). `attempts` lists what happened on each instance, in order.
 */
export class ServiceRequestError extends RegistryError {
  readonly retryable = true;

  constructor(
    readonly service: string,
    readonly attempts: readonly { instanceId: string; reason: string }[],
  ) {
    super(
      `Request to "${service}" failed on ${attempts.length} instance(s): ` +
        attempts.map((a) => `${a.instanceId}: ${a.reason}`).join('; '),
    );
  }
}
