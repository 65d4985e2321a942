import { Injectable, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import { InMemoryRegistryStore } from '@herd/registry';
import { MemoryBroker } from '@herd/saga';
import { loadServiceConfig } from './config/service-config';
import { ServiceConfigError } from './errors/service-config.error';
import { HerdServiceModule } from './herd-service.module';

/** A provider of the service's own module, which imports nothing from @nestjs/config itself. */
@Injectable()
class StockLimits {
  constructor(readonly config: ConfigService) {}
}

@Module({ providers: [StockLimits] })
class StockModule {}

/**
 * The service as its main.ts assembles it, on embedded defaults, with `env` as process.env (given
 * back as `processEnv`, as the app left it). Nothing of the shell's environment gets in.
 */
async function compileWith(env: NodeJS.ProcessEnv) {
  const saved = process.env;
  const processEnv: NodeJS.ProcessEnv = { NODE_ENV: saved.NODE_ENV, ...env };
  process.env = processEnv;
  try {
    // ServiceConfig from an empty environment: only the ConfigModule can see process.env's faults.
    const config = loadServiceConfig({ name: 'stock', version: '1.0.0', port: 0 }, {});
    const moduleRef = await Test.createTestingModule({
      imports: [
        HerdServiceModule.forService(config, {
          entities: [],
          logging: { level: 'silent' },
          embedded: { broker: new MemoryBroker(), registryStore: new InMemoryRegistryStore() },
        }),
        StockModule,
      ],
    }).compile();
    return { moduleRef, processEnv };
  } finally {
    process.env = saved;
  }
}

describe('HerdServiceModule configuration', () => {
  it("registers @nestjs/config globally: the service's own modules read their keys through ConfigService", async () => {
    const { moduleRef } = await compileWith({ STOCK_MAX_ITEMS: '40' });
    try {
      expect(moduleRef.get(StockLimits).config.get('STOCK_MAX_ITEMS')).toBe('40');
    } finally {
      await moduleRef.close();
    }
  });

  it('checks the process environment against ServiceEnvironment, every bad key at once', async () => {
    const failure = await compileWith({ PORT: '99999', HERD_CONSUL_URL: 'ftp://consul' }).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ServiceConfigError);
    expect((failure as ServiceConfigError).problems).toEqual([
      { key: 'PORT', problem: '"99999" is not a port number (0-65535)' },
      { key: 'HERD_CONSUL_URL', problem: 'must be an http:// or https:// URL' },
    ]);
  });

  it('refuses the embedded defaults when NODE_ENV=production, naming each key', async () => {
    const failure = await compileWith({ NODE_ENV: 'production' }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ServiceConfigError);
    expect((failure as ServiceConfigError).problems.map((p) => p.key)).toEqual([
      'STOCK_DATABASE_URL',
      'HERD_KAFKA_BROKERS',
      'HERD_CONSUL_URL',
    ]);
  });

  it('leaves process.env as it was: values read from <KEY>_FILE do not leak into it', async () => {
    const { moduleRef, processEnv } = await compileWith({ HERD_CONSUL_TOKEN_FILE: __filename });
    try {
      expect(processEnv).toEqual({ NODE_ENV: 'test', HERD_CONSUL_TOKEN_FILE: __filename });
      expect(moduleRef.get(StockLimits).config.get('HERD_CONSUL_TOKEN')).toBeUndefined();
    } finally {
      await moduleRef.close();
    }
  });
});
