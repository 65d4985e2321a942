export { RegistryModule } from './registry.module';
export { RegistryService } from './registry.service';
export { getServiceClientToken, InjectServiceClient } from './registry.decorators';
export { SERVICE_REGISTRY, VERSION_META_KEY, REGISTRY_DEFAULTS } from './registry.constants';
export { validateRegistryOptions } from './registry-options.validator';
export type { ResolvedRegistryOptions } from './registry-options.validator';
export type {
  RegistryModuleOptions,
  RegistryServiceOptions,
  RegistryConsulOptions,
  RegistryTlsOptions,
  RegistryCheckOptions,
  RegistryRegistrationOptions,
  RegistryDiscoveryOptions,
  RegistryClientOptions,
} from './interfaces/registry-options.interface';
export type {
  ServiceInstance,
  ResolveFilter,
  ServiceRegistration,
} from './interfaces/service-instance.interface';
export type {
  ServiceRegistry,
  RegistrationStatus,
  WatchStatus,
} from './interfaces/service-registry.interface';
export type { LoadBalancer, LoadBalancerName } from './interfaces/load-balancer.interface';
export type {
  ServiceRequest,
  ServiceResponse,
  ServiceStreamRequest,
  ServiceStreamResponse,
} from './interfaces/service-request.interface';
export { ConsulServiceRegistry } from './consul/consul-service-registry';
export type { ConsulHealthEntry } from './consul/consul-agent.client';
export { InMemoryServiceRegistry } from './memory/in-memory-service-registry';
export {
  InMemoryRegistryStore,
  defaultInMemoryRegistryStore,
} from './memory/in-memory-registry.store';
export { BlockingQuery, nextIndex } from './discovery/blocking-query';
export type {
  BlockingFetch,
  BlockingQueryOptions,
  BlockingQueryListener,
} from './discovery/blocking-query';
export { RoundRobinBalancer } from './balancing/round-robin.balancer';
export { RandomBalancer } from './balancing/random.balancer';
export { LeastInFlightBalancer } from './balancing/least-in-flight.balancer';
export { createBalancer } from './balancing/create-balancer';
export { ServiceHttpClient } from './client/service-http-client';
export type { ServiceHttpClientOptions } from './client/service-http-client';
export { ServiceClientFactory } from './client/service-client.factory';
export { RegistryHealthIndicator } from './health/registry.health-indicator';
export * from './errors';
export { consulKvConfig } from './kv/consul-kv-config';
export type { ConsulKvConfigOptions } from './kv/consul-kv-config';
export { ConsulKvConfigModule } from './kv/consul-kv-config.module';
export { ConsulKvConfigWatcher } from './kv/consul-kv-config.watcher';
