import {
  Controller,
  Get,
  Inject,
  InternalServerErrorException,
  Module,
  ServiceUnavailableException,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import { RegistryModule, RegistryModuleOptions, RegistryService } from '@herd/registry';

const READINESS = Symbol('readiness');

/** Stand-in for @herd/health's readiness: a switch tests flip to make Consul's HTTP check fail. */
class Readiness {
  ready = true;
}

@Controller()
class MemberController {
  constructor(
    @Inject(READINESS) private readonly readiness: Readiness,
    private readonly registry: RegistryService,
  ) {}

  @Get('health/ready')
  ready(): { status: string } {
    if (!this.readiness.ready) throw new ServiceUnavailableException('not ready');
    return { status: 'ok' };
  }

  @Get('whoami')
  whoami(): { id: string } {
    return { id: this.registry.instanceId };
  }

  @Get('boom')
  boom(): never {
    throw new InternalServerErrorException('boom');
  }
}

export interface MemberOptions {
  name: string;
  version: string;
  id: string;
  consulUrl: string;
  tags?: string[];
  /** Whether its readiness answers 2xx from the start. Default: true. */
  ready?: boolean;
  /** Overrides on top of the fast test defaults below. */
  registry?: Partial<RegistryModuleOptions>;
}

export interface Member {
  app: INestApplication;
  port: number;
  registry: RegistryService;
  setReady(ready: boolean): void;
}

/** A minimal herd member: RegistryModule with 1 s checks, listening on an ephemeral port. */
export async function startMember(options: MemberOptions): Promise<Member> {
  const readiness = new Readiness();
  readiness.ready = options.ready ?? true;
  @Module({
    imports: [
      RegistryModule.forRoot({
        service: {
          name: options.name,
          version: options.version,
          id: options.id,
          address: '127.0.0.1',
          tags: options.tags,
        },
        consul: { url: options.consulUrl, requestTimeoutMs: 2000 },
        checks: {
          intervalMs: 1000,
          timeoutMs: 1000,
          ttlMs: 3000,
          deregisterCriticalAfterMs: 60_000,
        },
        registration: { antiEntropyIntervalMs: 500 },
        discovery: { blockingWaitMs: 5000, retryBaseMs: 100, retryMaxMs: 1000, staleAfterMs: 3000 },
        client: { timeoutMs: 2000, breaker: { volumeThreshold: 2, resetTimeoutMs: 60_000 } },
        ...options.registry,
      }),
    ],
    controllers: [MemberController],
    providers: [{ provide: READINESS, useValue: readiness }],
  })
  class MemberModule {}

  const app = await NestFactory.create(MemberModule, { logger: ['warn'] });
  app.enableShutdownHooks();
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as AddressInfo).port;
  return {
    app,
    port,
    registry: app.get(RegistryService),
    setReady: (ready) => (readiness.ready = ready),
  };
}
