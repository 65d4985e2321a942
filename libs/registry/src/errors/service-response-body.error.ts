import { RegistryError } from './registry.error';

/**
 * The instance answered, but its body could not be read to the end or parsed as the JSON its
 * content type announced. Not the instance's health: its circuit is not charged, and since the
 * request did reach it, it is not sent again.
 */
export class ServiceResponseBodyError extends RegistryError {
  readonly retryable = false;

  constructor(
    readonly service: string,
    readonly instanceId: string,
    readonly status: number,
    reason: string,
  ) {
    super(
      `"${service}" instance ${instanceId} answered ${status} with an unreadable body: ${reason}`,
    );
  }
}
