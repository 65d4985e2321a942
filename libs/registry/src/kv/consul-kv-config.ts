import { Logger } from '@nestjs/common';
import { BlockingQuery } from '../discovery/blocking-query';
import { ConsulAgentClient } from '../consul/consul-agent.client';
import { RegistryOptionsError } from '../errors/registry-options.error';
import { RegistryConsulOptions } from '../interfaces/registry-options.interface';
import { REGISTRY_DEFAULTS } from '../registry.constants';
import { validateRegistryOptions } from '../registry-options.validator';
import { kvPaths, kvTree } from './kv-tree';

export interface ConsulKvConfigOptions {
  /** KV folder to load, e.g. `config/courseware`. Keys below it become config paths. */
  prefix: string;
  /** How to reach Consul; the same shape and defaults as RegistryModule's `consul` option. */
  consul?: RegistryConsulOptions;
}

/**
 * A `load` factory for @nestjs/config: `ConfigModule.forRoot({ load: [consulKvConfig({ prefix })] })`
 * reads every key under the prefix once at boot (`config/courseware/db/pool` → `db.pool`). Values
 * stay strings. Boot fails with ConsulUnavailableError if Consul cannot be read: a service must not
 * start on half its configuration.
 */
export function consulKvConfig(
  options: ConsulKvConfigOptions,
): () => Promise<Record<string, unknown>> {
  const { prefix, consul } = checked(options);
  return async () => {
    const client = new ConsulAgentClient(consul);
    try {
      const answer = await client.kvRecurse(prefix, 0n, REGISTRY_DEFAULTS.blockingWaitMs);
      return kvTree(prefix, answer.body);
    } finally {
      client.close();
    }
  };
}

/**
 * Follows the KV prefix with a blocking query and reports every changed, added or removed path.
 * Removal is reported as `undefined`. Survives Consul outages like discovery watches do.
 */
export class ConsulKvWatcher {
  private readonly logger = new Logger(ConsulKvWatcher.name);
  private readonly client: ConsulAgentClient;
  private readonly query: BlockingQuery<Map<string, string>>;
  private current?: Map<string, string>;
  readonly prefix: string;
  private readonly timeoutMs: number;

  /**
   * `baseline` gives the value each path had when the app loaded its config, so a change made
   * between that load and the watch's first answer is still reported.
   */
  constructor(
    options: ConsulKvConfigOptions,
    onChange: (path: string, value: string | undefined) => void,
    baseline?: (path: string) => unknown,
  ) {
    const { prefix, consul, discovery, timeoutMs } = checked(options);
    this.prefix = prefix;
    this.timeoutMs = timeoutMs;
    this.client = new ConsulAgentClient(consul);
    this.query = new BlockingQuery(
      async (index, waitMs, signal) => {
        const answer = await this.client.kvRecurse(prefix, index, waitMs, signal);
        return { index: answer.index, body: kvPaths(prefix, answer.body) };
      },
      {
        onChange: (paths) => {
          const previous = this.current;
          this.current = paths;
          if (!previous) {
            if (baseline)
              for (const [path, value] of paths)
                if (baseline(path) !== value) onChange(path, value);
            return;
          }
          for (const [path, value] of paths)
            if (previous.get(path) !== value) onChange(path, value);
          for (const path of previous.keys()) if (!paths.has(path)) onChange(path, undefined);
        },
        onError: (error, failures) => {
          if (failures === 1 || failures % 10 === 0) {
            this.logger.warn(
              `watch of KV prefix "${prefix}" failed ${failures}x: ${(error as Error).message}`,
            );
          }
        },
      },
      discovery,
    );
  }

  /** Starts watching; resolves once the current values are known, or after `timeoutMs` regardless. */
  async start(timeoutMs = this.timeoutMs): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.query.start(),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs))),
    ]);
    clearTimeout(timer);
  }

  async stop(): Promise<void> {
    await this.query.stop();
    this.client.close();
  }
}

function checked(options: ConsulKvConfigOptions) {
  if (
    !options ||
    typeof options.prefix !== 'string' ||
    options.prefix.replace(/\//g, '').length === 0
  ) {
    throw new RegistryOptionsError('prefix', 'must name a KV folder, e.g. "config/courseware"');
  }
  // Reuse the registry's validation of the connection options so both fail the same way.
  const resolved = validateRegistryOptions({
    service: { name: 'kv', version: '0.0.0' },
    consul: options.consul,
  });
  return {
    prefix: options.prefix.replace(/^\/+/, ''),
    consul: resolved.consul,
    timeoutMs: resolved.consul.requestTimeoutMs,
    discovery: {
      waitMs: resolved.discovery.blockingWaitMs,
      minIntervalMs: resolved.discovery.minQueryIntervalMs,
      retryBaseMs: resolved.discovery.retryBaseMs,
      retryMaxMs: resolved.discovery.retryMaxMs,
    },
  };
}
