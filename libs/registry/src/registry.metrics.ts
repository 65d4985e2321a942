import { Counter, Gauge, register } from 'prom-client';

export interface RegistryMetrics {
  registrations: Counter<'reason'>;
  watchErrors: Counter<'service'>;
  clientRequests: Counter<'service' | 'outcome'>;
  cachedInstances: Gauge<'service'>;
}

let metrics: RegistryMetrics | undefined;

/** Get-or-create on prom-client's global registry so several apps in one process share them. */
export function registryMetrics(): RegistryMetrics {
  metrics ??= {
    registrations: getOrCreate(
      'herd_registry_registrations_total',
      () =>
        new Counter({
          name: 'herd_registry_registrations_total',
          help: 'Registrations of this instance in the registry, by reason (boot or restore after the agent lost it).',
          labelNames: ['reason'],
        }),
    ),
    watchErrors: getOrCreate(
      'herd_registry_watch_errors_total',
      () =>
        new Counter({
          name: 'herd_registry_watch_errors_total',
          help: 'Failed discovery blocking queries, by watched service.',
          labelNames: ['service'],
        }),
    ),
    clientRequests: getOrCreate(
      'herd_registry_client_requests_total',
      () =>
        new Counter({
          name: 'herd_registry_client_requests_total',
          help: 'Attempts made by service HTTP clients, by target service and outcome.',
          labelNames: ['service', 'outcome'],
        }),
    ),
    cachedInstances: getOrCreate(
      'herd_registry_cached_instances',
      () =>
        new Gauge({
          name: 'herd_registry_cached_instances',
          help: 'Passing instances in the discovery cache, by service.',
          labelNames: ['service'],
        }),
    ),
  };
  return metrics;
}

function getOrCreate<T>(name: string, create: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? create();
}
