import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  OnModuleDestroy,
  Optional,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { AddressInfo } from 'node:net';
import { RegistryOptionsError } from './errors/registry-options.error';
import {
  ResolveFilter,
  ServiceInstance,
  ServiceRegistration,
} from './interfaces/service-instance.interface';
import {
  RegistrationStatus,
  ServiceRegistry,
  WatchStatus,
} from './interfaces/service-registry.interface';
import { ResolvedRegistryOptions } from './registry-options.validator';
import { RESOLVED_REGISTRY_OPTIONS, SERVICE_REGISTRY } from './registry.constants';

interface ListeningServer {
  listening: boolean;
  address(): AddressInfo | string | null;
  once(event: 'listening', listener: () => void): unknown;
  off(event: 'listening', listener: () => void): unknown;
}

/**
 * The app's handle on the registry and the owner of its lifecycle. Registration waits for the HTTP
 * server's 'listening' event (Nest runs onApplicationBootstrap before `app.listen()`, so
 * registering there would advertise a port nobody answers on yet); the port registered is the
 * one the server really got, which also makes `listen(0)` work. Shutdown follows the herd
 * contract: deregister in onModuleDestroy ("stop intake"), release Consul in onApplicationShutdown.
 */
@Injectable()
export class RegistryService
  implements OnApplicationBootstrap, OnModuleDestroy, OnApplicationShutdown
{
  private readonly logger = new Logger(RegistryService.name);
  private server?: ListeningServer;
  private readonly onListening = () => {
    this.register().catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof RegistryOptionsError) this.logger.error(`cannot register: ${message}`);
      else this.logger.error(`registration failed, retrying in the background: ${message}`);
    });
  };

  constructor(
    @Inject(SERVICE_REGISTRY) private readonly registry: ServiceRegistry,
    @Inject(RESOLVED_REGISTRY_OPTIONS) private readonly options: ResolvedRegistryOptions,
    @Optional() private readonly adapterHost?: HttpAdapterHost,
  ) {}

  get instanceId(): string {
    return this.options.service.id;
  }

  onApplicationBootstrap(): void {
    if (!this.options.registration.auto) return;
    const server = this.adapterHost?.httpAdapter?.getHttpServer?.() as ListeningServer | undefined;
    if (!server || typeof server.once !== 'function') {
      this.logger.warn(
        'no HTTP server to wait for: call RegistryService.register() once the app serves traffic',
      );
      return;
    }
    this.server = server;
    if (server.listening) this.onListening();
    else server.once('listening', this.onListening);
  }

  /**
   * Registers this instance now. Call it yourself after `app.listen()` when `registration.auto`
   * is false. Rejects if Consul is unreachable; the registration keeps being retried regardless.
   */
  async register(port?: number): Promise<void> {
    await this.registry.register(this.registration(port));
  }

  resolve(service: string, filter?: ResolveFilter): Promise<ServiceInstance[]> {
    return this.registry.resolve(service, filter);
  }

  registrationStatus(): RegistrationStatus {
    return this.registry.registrationStatus();
  }

  watchStatus(): WatchStatus[] {
    return this.registry.watchStatus();
  }

  /** Phase "stop intake": leave the registry before the HTTP server closes. */
  async onModuleDestroy(): Promise<void> {
    this.server?.off('listening', this.onListening);
    try {
      await this.registry.deregister();
    } catch (error) {
      // Not fatal: DeregisterCriticalServiceAfter removes the entry once its checks fail.
      this.logger.warn(
        `deregistration failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  /** Phase "close": stop watches and release agent connections. */
  async onApplicationShutdown(): Promise<void> {
    await this.registry.close();
  }

  private registration(explicitPort?: number): ServiceRegistration {
    const { service } = this.options;
    const port = explicitPort ?? service.port ?? this.listeningPort();
    if (port === undefined) {
      throw new RegistryOptionsError(
        'service.port',
        'is not set and the HTTP server is not listening on a TCP port',
      );
    }
    return {
      id: service.id,
      name: service.name,
      address: service.address,
      port,
      version: service.version,
      tags: service.tags,
      meta: service.meta,
    };
  }

  private listeningPort(): number | undefined {
    const server =
      this.server ??
      (this.adapterHost?.httpAdapter?.getHttpServer?.() as ListeningServer | undefined);
    const address = typeof server?.address === 'function' ? server.address() : undefined;
    return address && typeof address === 'object' ? address.port : undefined;
  }
}
