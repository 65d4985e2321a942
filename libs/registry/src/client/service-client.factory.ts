import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { createBalancer } from '../balancing/create-balancer';
import { ServiceRegistry } from '../interfaces/service-registry.interface';
import { ResolvedRegistryOptions } from '../registry-options.validator';
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

  forService(service: string): ServiceHttpClient {
    let client = this.clients.get(service);
    if (!client) {
      client = new ServiceHttpClient(
        service,
        this.registry,
        createBalancer(this.options.client.balancer),
        this.options.client,
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
