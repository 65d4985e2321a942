import { DynamicModule, Module } from '@nestjs/common';
import { ConsulKvConfigOptions } from './consul-kv-config';
import { CONSUL_KV_CONFIG_OPTIONS, ConsulKvConfigWatcher } from './consul-kv-config.watcher';

/**
 * Watches a Consul KV prefix and writes changes into ConfigService. Pair it with the boot-time
 * loader: `ConfigModule.forRoot({ isGlobal: true, load: [consulKvConfig(kv)] })` and
 * `ConsulKvConfigModule.forRoot(kv)`.
 */
@Module({})
export class ConsulKvConfigModule {
  static forRoot(options: ConsulKvConfigOptions): DynamicModule {
    return {
      module: ConsulKvConfigModule,
      providers: [{ provide: CONSUL_KV_CONFIG_OPTIONS, useValue: options }, ConsulKvConfigWatcher],
      exports: [ConsulKvConfigWatcher],
    };
  }
}
