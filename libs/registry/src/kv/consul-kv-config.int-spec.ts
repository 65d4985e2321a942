import { Injectable, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import { herdInfraEnv } from '@herd/testing';
import {
  ConsulKvConfigModule,
  ConsulKvConfigWatcher,
  ConsulUnavailableError,
  consulKvConfig,
} from '@herd/registry';
import { eventually } from '../../test/consul-helpers';

describe('config from Consul KV (real agent)', () => {
  const consulUrl = herdInfraEnv().consulUrl;
  const prefix = `herd-test/${randomBytes(4).toString('hex')}`;
  const kv = (key: string) => new URL(`/v1/kv/${prefix}/${key}`, consulUrl);
  const put = (key: string, value: string) => fetch(kv(key), { method: 'PUT', body: value });

  afterAll(async () => {
    await fetch(new URL(`/v1/kv/${prefix}?recurse=true`, consulUrl), { method: 'DELETE' });
  });

  it('loads the prefix at boot and follows changes and removals into ConfigService', async () => {
    await put('db/pool', '10');
    await put('feature', 'off');
    const options = { prefix, consul: { url: consulUrl } };

    @Injectable()
    class Changes {
      readonly seen: [string, string | undefined][] = [];
    }
    @Module({
      imports: [
        ConfigModule.forRoot({
          isGlobal: true,
          ignoreEnvFile: true,
          load: [consulKvConfig(options)],
        }),
        ConsulKvConfigModule.forRoot(options),
      ],
      providers: [Changes],
    })
    class AppModule {}

    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    try {
      const config = app.get(ConfigService);
      expect(config.get('db.pool')).toBe('10');
      expect(config.get('feature')).toBe('off');

      const changes = app.get(Changes);
      app.get(ConsulKvConfigWatcher).onChange((path, value) => changes.seen.push([path, value]));
      await put('feature', 'on');
      await eventually(
        'the change to reach ConfigService',
        10_000,
        async () => config.get('feature') === 'on',
      );
      await fetch(kv('db/pool'), { method: 'DELETE' });
      await eventually(
        'the removal to reach ConfigService',
        10_000,
        async () => config.get('db.pool') === undefined,
      );
      expect(changes.seen).toEqual([
        ['feature', 'on'],
        ['db.pool', undefined],
      ]);
    } finally {
      await app.close();
    }
  });

  it('fails boot with ConsulUnavailableError when KV cannot be read', async () => {
    const load = consulKvConfig({
      prefix,
      consul: { url: 'http://127.0.0.1:9', requestTimeoutMs: 1000 },
    });
    await expect(load()).rejects.toBeInstanceOf(ConsulUnavailableError);
  });
});
