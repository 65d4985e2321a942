import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  Optional,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ConsulKvConfigOptions, ConsulKvWatcher } from './consul-kv-config';

export const CONSUL_KV_CONFIG_OPTIONS = Symbol('herd:registry:kv-config-options');

/**
 * Keeps @nestjs/config's ConfigService in step with the KV prefix after boot: each change is
 * written with `ConfigService.set(path, value)` and passed to listeners added with `onChange`.
 */
@Injectable()
export class ConsulKvConfigWatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ConsulKvConfigWatcher.name);
  private readonly listeners = new Set<(path: string, value: string | undefined) => void>();
  private readonly watcher: ConsulKvWatcher;

  constructor(
    @Inject(CONSUL_KV_CONFIG_OPTIONS) options: ConsulKvConfigOptions,
    @Optional() private readonly config?: ConfigService,
  ) {
    this.watcher = new ConsulKvWatcher(
      options,
      (path, value) => this.apply(path, value),
      config ? (path) => config.get(path) : undefined,
    );
  }

  onChange(listener: (path: string, value: string | undefined) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config)
      this.logger.warn('ConfigService not found: KV changes go to onChange listeners only');
    await this.watcher.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.watcher.stop();
  }

  private apply(path: string, value: string | undefined): void {
    this.config?.set(path, value);
    // ConfigService.set mirrors every path into process.env as a string, which would turn a
    // removed key into the text "undefined".
    if (value === undefined) delete process.env[path];
    this.logger.log(
      `config "${path}" ${value === undefined ? 'removed' : 'changed'} in Consul KV ${this.watcher.prefix}`,
    );
    for (const listener of this.listeners) {
      try {
        listener(path, value);
      } catch (error) {
        this.logger.error(`config listener failed for "${path}": ${(error as Error).message}`);
      }
    }
  }
}
