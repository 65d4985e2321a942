import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { createBalancer } from '../balancing/create-balancer';
import { ServiceRegistry } from '../interfaces/service-registry.interface';
import { RegistryClientOptions } from '../interfaces/registry-options.interface';
import { ResolvedRegistryOptions, resolveClientOptions } from '../registry-options.validator';
import { RESOLVED_REGISTRY_OPTIONS, SERVICE_REGISTRY } from '../registry.constants';
import { ServiceHttpClient } from './service-http-client';

/** One ServiceHttpClient per target service, shared by everything that injects it. */
@Injectable()
export class ServiceClientFactory implements OnApplicationShutdown {
  private readonly clients = new Map<string, ServiceHttpClient>();

  constructor(
    @Inject(SERVICE_REGISTRY) private readonly registry: ServiceRegistry,
    @Inject(RESOLVED_REGISTRY_OPTIONS) private readonly options: ResolvedRegistryOptions,
  ) {}

  /**
   * The client of `service`; `overrides` (timeouts, retries, breaker, scheme, TLS) apply on top of
   * the module's `client` options, the first time the service's client is made.
   */
  forService(service: string, overrides?: RegistryClientOptions): ServiceHttpClient {
    let client = this.clients.get(service);
    if (!client) {
      const options = resolveClientOptions(
        overrides,
        this.options.client,
        `forFeature(${service}).client`,
      );
      client = new ServiceHttpClient(
        service,
        this.registry,
        createBalancer(options.balancer),
        options,
      );
      this.clients.set(service, client);
    }
    return client;
  }

  onApplicationShutdown(): void {
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }
}
