import {
  BeforeApplicationShutdown,
  Injectable,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { SagaCommandHandlerFn } from '../interfaces/saga-command-handler.interface';
import { SagaRuntime } from '../saga-runtime';
import { SAGA_COMMAND_HANDLER_METADATA } from '../saga.constants';
import type { SagaCommandHandlerMetadata } from './saga-command-handler.decorator';

/**
 * Binds the runtime to Nest's lifecycle: handlers found at init, consumers and relay started at
 * bootstrap, stopped in the drain phase (beforeApplicationShutdown), producer and LISTEN connection
 * closed in the close phase (onApplicationShutdown).
 */
@Injectable()
export class SagaLifecycle
  implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  constructor(
    private readonly runtime: SagaRuntime,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      if (!instance || typeof instance !== 'object' || wrapper.isAlias) continue;
      const prototype = Object.getPrototypeOf(instance) as object | null;
      if (!prototype) continue;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const method = (instance as Record<string, unknown>)[name];
        if (typeof method !== 'function') continue;
        const meta = this.reflector.get<SagaCommandHandlerMetadata | undefined>(
          SAGA_COMMAND_HANDLER_METADATA,
          method,
        );
        if (!meta) continue;
        this.runtime.registerHandler({
          command: meta.command,
          channel: meta.channel,
          schema: meta.schema,
          rejects: meta.rejects,
          handle: (method as SagaCommandHandlerFn).bind(instance),
        });
      }
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.runtime.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.runtime.stopIntake();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.runtime.close();
  }
}
