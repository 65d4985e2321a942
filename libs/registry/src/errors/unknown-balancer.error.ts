import { RegistryError } from './registry.error';

/** A load-balancing strategy was asked for by a name no strategy is registered under. */
export class UnknownBalancerError extends RegistryError {
  readonly retryable = false;

  constructor(name: string, known: readonly string[]) {
    super(`Unknown load balancer "${name}"; use one of: ${known.join(', ')}`);
  }
}
