import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { ConsulServiceRegistry } from '../consul/consul-service-registry';
import { ServiceRegistry } from '../interfaces/service-registry.interface';
import { ResolvedRegistryOptions } from '../registry-options.validator';
import {
  REGISTRY_HEALTH_KEY,
  RESOLVED_REGISTRY_OPTIONS,
  SERVICE_REGISTRY,
} from '../registry.constants';

/**
 * The Consul agent as a dependency for @herd/health's `dependencies` (shown on /health and in
 * metrics, not in readiness): the agent answers and no discovery watch has gone without an answer
 * for longer than `discovery.staleAfterMs`. An instance serves through a Consul outage (lookups
 * come from the cache), so this must not make it unready: every instance would leave at once.
 */
@Injectable()
export class RegistryHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    @Inject(SERVICE_REGISTRY) private readonly registry: ServiceRegistry,
    @Inject(RESOLVED_REGISTRY_OPTIONS) private readonly options: ResolvedRegistryOptions,
  ) {}

  async isHealthy(key: string = REGISTRY_HEALTH_KEY): Promise<HealthIndicatorResult> {
    const indicator = this.health.check(key);
    const now = Date.now();
    const registration = this.registry.registrationStatus();
    const watches = this.registry.watchStatus().map((watch) => ({
      service: watch.service,
      instances: watch.instances,
      ageMs: watch.lastSuccessAt === undefined ? undefined : now - watch.lastSuccessAt,
      lastError: watch.lastError,
    }));
    // A watch still waiting for its first answer is only stale once that answer failed.
    const stale = watches.filter((w) =>
      w.ageMs === undefined
        ? w.lastError !== undefined
        : w.ageMs > this.options.discovery.staleAfterMs,
    );
    let agent = 'in-memory';
    if (this.registry instanceof ConsulServiceRegistry) {
      try {
        await this.registry.client.ping();
        agent = 'reachable';
      } catch (error) {
        agent = 'unreachable';
        return indicator.down({
          agent,
          message: error instanceof Error ? error.message : String(error),
          registration,
          watches,
        });
      }
    }
    if (stale.length > 0) {
      return indicator.down({
        agent,
        message: `discovery cache stale for ${stale.map((w) => w.service).join(', ')}`,
        registration,
        watches,
      });
    }
    return indicator.up({ agent, registration, watches });
  }
}
