import { RegistryError } from './registry.error';

/**
 * The target answered with a 4xx: the request itself is wrong, so no other instance would
 * answer differently and the instance's circuit is not charged for it.
 */
export class ServiceResponseError extends RegistryError {
  readonly retryable = false;

  constructor(
    readonly service: string,
    readonly instanceId: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(`"${service}" instance ${instanceId} answered ${status}: ${body.slice(0, 200)}`);
  }
}
