import { NoHealthyInstanceError, RegistryService } from '@herd/registry';
import { HerdDirectory, HerdInstance } from './herd-instance';

/**
 * Embedded mode (no Consul): the services this process knows of (those with a policy, and the
 * shepherd itself) as the in-memory registry resolves them; only passing instances exist there.
 */
export class RegistryHerdDirectory implements HerdDirectory {
  readonly description = 'the in-memory registry of this process (HERD_CONSUL_URL is not set)';

  constructor(
    private readonly registry: RegistryService,
    private readonly services: readonly string[],
  ) {}

  async instances(): Promise<HerdInstance[]> {
    const found = await Promise.all(
      this.services.map((name) =>
        this.registry.resolve(name).catch((error: unknown) => {
          if (error instanceof NoHealthyInstanceError) return [];
          throw error;
        }),
      ),
    );
    return found.flat().map((i) => ({
      id: i.id,
      service: i.name,
      version: i.version,
      address: i.address,
      port: i.port,
      health: 'passing' as const,
      tags: i.tags,
    }));
  }
}
