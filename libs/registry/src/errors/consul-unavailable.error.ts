import { RegistryError } from './registry.error';

/**
 * The Consul agent could not be reached (or answered 5xx); the operation may work later. The
 * cause keeps the client error's message and code only: its response would carry the token.
 */
export class ConsulUnavailableError extends RegistryError {
  readonly retryable = true;

  constructor(operation: string, cause: unknown) {
    super(`Consul ${operation} failed: ${describe(cause)}`, {
      cause: Object.assign(new Error(describe(cause)), {
        code: (cause as { code?: unknown } | undefined)?.code,
      }),
    });
  }
}

function describe(cause: unknown): string {
  const message = (cause as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message : String(cause);
}
