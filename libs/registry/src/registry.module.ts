import { DynamicModule, Module, Provider } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { ServiceClientFactory } from './client/service-client.factory';
import { ConsulServiceRegistry } from './consul/consul-service-registry';
import { RegistryHealthIndicator } from './health/registry.health-indicator';
import {
  RegistryClientOptions,
  RegistryModuleOptions,
} from './interfaces/registry-options.interface';
import { ServiceRegistry } from './interfaces/service-registry.interface';
import { InMemoryServiceRegistry } from './memory/in-memory-service-registry';
import { ResolvedRegistryOptions, validateRegistryOptions } from './registry-options.validator';
import {
  ConfigurableRegistryModule,
  REGISTRY_ASYNC_OPTIONS_TYPE,
  REGISTRY_MODULE_OPTIONS,
  REGISTRY_OPTIONS_TYPE,
} from './registry.module-definition';
import { RESOLVED_REGISTRY_OPTIONS, SERVICE_REGISTRY } from './registry.constants';
import { getServiceClientToken } from './registry.decorators';
import { RegistryService } from './registry.service';

const CORE_PROVIDERS: Provider[] = [
  {
    provide: RESOLVED_REGISTRY_OPTIONS,
    // Runs at boot, so a bad option stops the app with the option key in the error.
    useFactory: (options: RegistryModuleOptions) => validateRegistryOptions(options),
    inject: [REGISTRY_MODULE_OPTIONS],
  },
  {
    provide: SERVICE_REGISTRY,
    useFactory: (options: ResolvedRegistryOptions): ServiceRegistry =>
      options.backend === 'memory'
        ? new InMemoryServiceRegistry(options.memoryStore)
        : new ConsulServiceRegistry(options),
    inject: [RESOLVED_REGISTRY_OPTIONS],
  },
  RegistryService,
  ServiceClientFactory,
  HealthIndicatorService,
  RegistryHealthIndicator,
];

const EXPORTS = [RegistryService, ServiceClientFactory, RegistryHealthIndicator, SERVICE_REGISTRY];

/**
 * Makes the app a herd member: registers it in Consul once it listens, resolves other services
 * from a watched cache, and gives HTTP clients by service name. Global, like TypeOrmCoreModule:
 * one registration per process.
 */
@Module({})
export class RegistryModule extends ConfigurableRegistryModule {
  static forRoot(options: typeof REGISTRY_OPTIONS_TYPE): DynamicModule {
    return withCore(super.forRoot(options));
  }

  static forRootAsync(options: typeof REGISTRY_ASYNC_OPTIONS_TYPE): DynamicModule {
    return withCore(super.forRootAsync(options));
  }

  /**
   * Provides a ServiceHttpClient per named service, injectable with @InjectServiceClient(name);
   * `{ service, client }` gives that target its own client options on top of the module's.
   */
  static forFeature(
    services: Array<string | { service: string; client?: RegistryClientOptions }>,
  ): DynamicModule {
    const providers = services.map((target) => {
      const { service, client } = typeof target === 'string' ? { service: target } : target;
      return {
        provide: getServiceClientToken(service),
        useFactory: (factory: ServiceClientFactory) => factory.forService(service, client),
        inject: [ServiceClientFactory],
      };
    });
    return { module: RegistryModule, providers, exports: providers.map((p) => p.provide) };
  }
}

function withCore(definition: DynamicModule): DynamicModule {
  return {
    ...definition,
    global: definition.global ?? true,
    providers: [...(definition.providers ?? []), ...CORE_PROVIDERS],
    exports: [...(definition.exports ?? []), ...EXPORTS],
  };
}
