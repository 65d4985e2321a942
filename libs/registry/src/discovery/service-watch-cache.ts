import { Logger } from '@nestjs/common';
import { ConsulUnavailableError } from '../errors/consul-unavailable.error';
import { NoHealthyInstanceError } from '../errors/no-healthy-instance.error';
import { ResolveFilter, ServiceInstance } from '../interfaces/service-instance.interface';
import { WatchStatus } from '../interfaces/service-registry.interface';
import { BlockingFetch, BlockingQuery, BlockingQueryOptions } from './blocking-query';
import { matchesFilter } from './instance-filter';
import { registryMetrics } from '../registry.metrics';

interface Entry {
  query: BlockingQuery<ServiceInstance[]>;
  instances: readonly ServiceInstance[];
  ready: Promise<void>;
  /** Set while an empty answer after an outage is held back; fires to accept it after all. */
  hold?: NodeJS.Timeout;
}

/**
 * Local copy of the passing instances of every service asked for, one blocking-query watch per
 * service name (filters are applied locally, so `resolve(name, {version})` shares the watch).
 * Once a watch has answered, `resolve()` is served from memory and keeps returning the last known
 * set while Consul is unreachable; only a service never seen before needs Consul to answer.
 * An agent that comes back empty (restarted dev agent, wiped data) answers "no instances" until
 * the instances register again: right after an outage such an empty answer does not replace a
 * non-empty set before `holdEmptyAfterRecoveryMs`, unless instances show up sooner.
 */
export class ServiceWatchCache {
  private readonly entries = new Map<string, Entry>();
  private readonly logger = new Logger('ServiceWatchCache');

  constructor(
    private readonly fetchPassing: (service: string) => BlockingFetch<ServiceInstance[]>,
    private readonly options: BlockingQueryOptions,
    private readonly firstAnswerTimeoutMs: number,
    private readonly holdEmptyAfterRecoveryMs: number,
  ) {}

  async resolve(service: string, filter?: ResolveFilter): Promise<ServiceInstance[]> {
    const entry = this.entries.get(service) ?? this.watch(service);
    if (entry.query.lastSuccessAt === undefined) await this.awaitFirstAnswer(service, entry);
    const found = entry.instances.filter((instance) => matchesFilter(instance, filter));
    if (found.length === 0) throw new NoHealthyInstanceError(service, filter);
    return found;
  }

  /** Synchronous read of the cache; undefined when the service has never been resolved. */
  peek(service: string): readonly ServiceInstance[] | undefined {
    const entry = this.entries.get(service);
    return entry?.query.lastSuccessAt === undefined ? undefined : entry.instances;
  }

  status(): WatchStatus[] {
    return [...this.entries].map(([service, entry]) => ({
      service,
      lastSuccessAt: entry.query.lastSuccessAt,
      lastErrorAt: entry.query.lastErrorAt,
      lastError: entry.query.lastError,
      instances: entry.instances.length,
    }));
  }

  async close(): Promise<void> {
    const entries = [...this.entries.values()];
    this.entries.clear();
    for (const entry of entries) clearTimeout(entry.hold);
    await Promise.all(entries.map((entry) => entry.query.stop()));
  }

  private watch(service: string): Entry {
    const entry = { instances: [] as readonly ServiceInstance[] } as Entry;
    entry.query = new BlockingQuery<ServiceInstance[]>(
      this.fetchPassing(service),
      {
        onChange: (instances, _index, recovered) => {
          const accept = (next: readonly ServiceInstance[]) => {
            clearTimeout(entry.hold);
            entry.hold = undefined;
            entry.instances = next;
            registryMetrics().cachedInstances.set({ service }, next.length);
          };
          if (instances.length > 0 || entry.instances.length === 0) return accept(instances);
          if (entry.hold) return; // still inside the hold: keep serving the last known set
          if (!recovered) return accept(instances);
          this.logger.warn(
            `"${service}" came back empty after an outage: serving ${entry.instances.length} cached ` +
              `instance(s) for up to ${this.holdEmptyAfterRecoveryMs} ms while they register again`,
          );
          entry.hold = setTimeout(() => accept([]), this.holdEmptyAfterRecoveryMs);
          entry.hold.unref();
        },
        onError: (error, failures) => {
          registryMetrics().watchErrors.inc({ service });
          // One line per outage, then one per 10 failures: a down agent must not flood the logs.
          if (failures === 1 || failures % 10 === 0) {
            this.logger.warn(
              `watch of "${service}" failed ${failures}x, serving ${entry.instances.length} cached instance(s): ${
                error instanceof Error ? error.message : String(error)
              }`,
            );
          }
        },
      },
      this.options,
    );
    entry.ready = entry.query.start();
    this.entries.set(service, entry);
    return entry;
  }

  private async awaitFirstAnswer(service: string, entry: Entry): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new ConsulUnavailableError(
              `first lookup of "${service}"`,
              entry.query.lastError ?? `no answer within ${this.firstAnswerTimeoutMs} ms`,
            ),
          ),
        this.firstAnswerTimeoutMs,
      );
    });
    try {
      await Promise.race([entry.ready, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
