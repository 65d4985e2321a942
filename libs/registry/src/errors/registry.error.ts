/**
 * Base of every @herd/registry error, so callers can catch the whole family and ask whether
 * trying again (later, or on another instance) can succeed.
 */
export abstract class RegistryError extends Error {
  abstract readonly retryable: boolean;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}
