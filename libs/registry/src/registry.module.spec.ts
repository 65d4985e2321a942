import { Controller, Get, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { ServiceHttpClient } from './client/service-http-client';
import { RegistryOptionsError } from './errors/registry-options.error';
import { RegistryHealthIndicator } from './health/registry.health-indicator';
import { InMemoryRegistryStore } from './memory/in-memory-registry.store';
import { InjectServiceClient } from './registry.decorators';
import { RegistryModule } from './registry.module';
import { RegistryService } from './registry.service';

@Controller()
class WhoAmIController {
  constructor(private readonly registry: RegistryService) {}

  @Get('whoami')
  whoami() {
    return { id: this.registry.instanceId };
  }
}

@Injectable()
class CodecCaller {
  constructor(@InjectServiceClient('codec') readonly codec: ServiceHttpClient) {}
}

describe('RegistryModule (memory backend)', () => {
  it('fails at boot naming the bad option key', async () => {
    const boot = Test.createTestingModule({
      imports: [
        RegistryModule.forRoot({ backend: 'memory', service: { name: 'codec', version: 'v1' } }),
      ],
    }).compile();
    await expect(boot).rejects.toThrow(RegistryOptionsError);
    await expect(
      Test.createTestingModule({
        imports: [
          RegistryModule.forRoot({ backend: 'memory', service: { name: 'codec', version: 'v1' } }),
        ],
      }).compile(),
    ).rejects.toThrow(/"service\.version"/);
  });

  it('registers after listen with the port really bound, serves clients by name, and deregisters on close', async () => {
    const store = new InMemoryRegistryStore();
    @Module({
      imports: [
        RegistryModule.forRootAsync({
          useFactory: () => ({
            backend: 'memory' as const,
            memoryStore: store,
            service: { name: 'codec', version: '1.0.0', id: 'codec-1', address: '127.0.0.1' },
          }),
        }),
        RegistryModule.forFeature(['codec']),
      ],
      controllers: [WhoAmIController],
      providers: [CodecCaller],
    })
    class AppModule {}

    const app = await NestFactory.create(AppModule, { logger: false });
    await app.init();
    expect(store.passing('codec')).toEqual([]);
    await app.listen(0, '127.0.0.1');
    const port = (app.getHttpServer().address() as AddressInfo).port;
    for (let i = 0; i < 50 && store.passing('codec').length === 0; i += 1) await sleep(10);
    expect(store.passing('codec')).toEqual([
      expect.objectContaining({ id: 'codec-1', port, version: '1.0.0' }),
    ]);

    const response = await app.get(CodecCaller).codec.get<{ id: string }>('/whoami');
    expect(response.body).toEqual({ id: 'codec-1' });
    const health = await app.get(RegistryHealthIndicator).isHealthy();
    expect(health.consul).toMatchObject({
      status: 'up',
      agent: 'in-memory',
      registration: { registered: true },
    });

    await app.close();
    expect(store.passing('codec')).toEqual([]);
  });

  it('with registration.auto=false waits for an explicit register()', async () => {
    const store = new InMemoryRegistryStore();
    const app = await NestFactory.create(
      RegistryModule.forRoot({
        backend: 'memory',
        memoryStore: store,
        service: { name: 'worker', version: '0.1.0', id: 'worker-1', port: 7000 },
        registration: { auto: false },
      }),
      { logger: false },
    );
    await app.listen(0, '127.0.0.1');
    await sleep(20);
    expect(store.passing('worker')).toEqual([]);
    await app.get(RegistryService).register();
    expect(store.passing('worker')).toEqual([
      expect.objectContaining({ id: 'worker-1', port: 7000 }),
    ]);
    await app.close();
  });
});
