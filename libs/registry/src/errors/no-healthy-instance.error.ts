import { RegistryError } from './registry.error';

/**
 * No passing instance matches the request. Retryable: instances come back (a deploy finishing,
 * a check recovering), so a later attempt may succeed.
 */
export class NoHealthyInstanceError extends RegistryError {
  readonly retryable = true;

  constructor(
    readonly service: string,
    readonly filter: { version?: string; tags?: readonly string[] } = {},
  ) {
    const parts = [
      filter.version ? `version ${filter.version}` : undefined,
      filter.tags?.length ? `tags [${filter.tags.join(', ')}]` : undefined,
    ].filter(Boolean);
    super(
      `No healthy instance of "${service}"${parts.length ? ` with ${parts.join(' and ')}` : ''}: ` +
        'check that it is deployed and its readiness check passes in Consul',
    );
  }
}
