import { RegistryError } from './registry.error';

/**
 * The Consul agent refused a request (4xx: bad request, ACL denied, not found). Carries the
 * operation, the status and Consul's own message only: the client's raw error holds the
 * response and with it the request's `X-Consul-Token` header, which must never reach a log.
 */
export class ConsulRequestError extends RegistryError {
  readonly retryable = false;

  constructor(
    readonly operation: string,
    readonly statusCode: number,
    detail: string,
  ) {
    super(`Consul ${operation} answered ${statusCode}: ${detail}`);
  }
}
