import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigModule } from '@nestjs/config';
import { ServiceConfigError } from '../errors/service-config.error';
import { loadServiceConfig } from './service-config';
import { validateServiceEnvironment } from './service-environment';

const defaults = { name: 'courseware', version: '1.2.3', port: 3000 };

describe('loadServiceConfig', () => {
  it('needs no server at all: every server is optional and falls back to its embedded default', () => {
    const config = loadServiceConfig(defaults, {});
    expect(config).toMatchObject({
      name: 'courseware',
      version: '1.2.3',
      port: 3000,
      host: '0.0.0.0',
    });
    expect(config.databaseUrl).toBeUndefined();
    expect(config.kafkaBrokers).toBeUndefined();
    expect(config.consulUrl).toBeUndefined();
    expect(config.instanceId).toMatch(/^courseware-.+-[0-9a-f]{8}$/);
  });

  it('derives the service role and database from HERD_POSTGRES_URL and keeps it as the admin URL', () => {
    const config = loadServiceConfig(defaults, {
      HERD_POSTGRES_URL: 'postgres://herd:herd@127.0.0.1:55432/herd',
    });
    expect(config.databaseUrl).toBe('postgres://courseware:courseware@127.0.0.1:55432/courseware');
    expect(config.databaseAdminUrl).toBe('postgres://herd:herd@127.0.0.1:55432/herd');
  });

  it('uses <NAME>_DATABASE_URL as given and provisions nothing', () => {
    const config = loadServiceConfig(defaults, {
      COURSEWARE_DATABASE_URL: 'postgres://cw:secret@db:5432/cw',
      HERD_POSTGRES_URL: 'postgres://herd:herd@127.0.0.1:55432/herd',
    });
    expect(config.databaseUrl).toBe('postgres://cw:secret@db:5432/cw');
    expect(config.databaseAdminUrl).toBeUndefined();
  });

  it('reads brokers, Consul and identity', () => {
    const config = loadServiceConfig(defaults, {
      HERD_KAFKA_BROKERS: '127.0.0.1:9092, kafka-2:9092',
      HERD_CONSUL_URL: 'https://consul:8501',
      HERD_CONSUL_TOKEN: 't0ken',
      HERD_INSTANCE_ID: 'cw-1',
      HERD_SERVICE_VERSION: '2.0.0',
      PORT: '0',
    });
    expect(config).toMatchObject({
      kafkaBrokers: ['127.0.0.1:9092', 'kafka-2:9092'],
      consulUrl: 'https://consul:8501',
      consulToken: 't0ken',
      instanceId: 'cw-1',
      version: '2.0.0',
      port: 0,
    });
  });

  it('reads a key from the file <KEY>_FILE names, as Docker secrets deliver it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'herd-secrets-'));
    writeFileSync(join(dir, 'database-url'), 'postgres://cw:secret@db:5432/cw\n');
    writeFileSync(join(dir, 'consul-token'), 't0ken');
    const config = loadServiceConfig(defaults, {
      NODE_ENV: 'production',
      COURSEWARE_DATABASE_URL_FILE: join(dir, 'database-url'),
      HERD_CONSUL_TOKEN_FILE: join(dir, 'consul-token'),
      HERD_KAFKA_BROKERS: 'k:9092',
      HERD_CONSUL_URL: 'http://consul:8500',
      SSL_CERT_FILE: '/nonexistent/not-ours.pem',
    });
    expect(config.databaseUrl).toBe('postgres://cw:secret@db:5432/cw');
    expect(config.consulToken).toBe('t0ken');
  });

  it.each([
    [{ HERD_CONSUL_TOKEN_FILE: '/nonexistent/herd/token' }, 'HERD_CONSUL_TOKEN_FILE'],
    [
      { HERD_CONSUL_TOKEN_FILE: '/nonexistent/herd/token', HERD_CONSUL_TOKEN: 'x' },
      'HERD_CONSUL_TOKEN_FILE',
    ],
    [{ NODE_ENV: 'production' }, 'COURSEWARE_DATABASE_URL'],
    [{ NODE_ENV: 'production', HERD_POSTGRES_URL: 'postgres://a:b@c/d' }, 'HERD_KAFKA_BROKERS'],
    [
      {
        NODE_ENV: 'production',
        HERD_POSTGRES_URL: 'postgres://a:b@c/d',
        HERD_KAFKA_BROKERS: 'k:9092',
      },
      'HERD_CONSUL_URL',
    ],
    [{ PORT: '70000' }, 'PORT'],
    [{ PORT: 'http' }, 'PORT'],
    [{ HERD_PORT_FILE: 'tmp/port' }, 'HERD_PORT_FILE'],
    [{ HERD_KAFKA_BROKERS: 'localhost' }, 'HERD_KAFKA_BROKERS'],
    [{ HERD_CONSUL_URL: 'consul:8500' }, 'HERD_CONSUL_URL'],
    [{ HERD_CONSUL_URL: 'ftp://consul' }, 'HERD_CONSUL_URL'],
    [{ COURSEWARE_DATABASE_URL: 'mysql://x@y/z' }, 'COURSEWARE_DATABASE_URL'],
    [{ HERD_POSTGRES_URL: 'not a url' }, 'HERD_POSTGRES_URL'],
  ])('fails naming the key for %j', (env, key) => {
    let thrown: unknown;
    try {
      loadServiceConfig(defaults, env);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ServiceConfigError);
    expect((thrown as ServiceConfigError).key).toBe(key);
    expect((thrown as Error).message).toContain(`invalid configuration ${key}`);
  });

  it('reports every bad key at once, each with what was expected', () => {
    const error = (() => {
      try {
        loadServiceConfig(defaults, {
          PORT: 'http',
          HERD_SERVICE_VERSION: 'latest',
          COURSEWARE_DATABASE_URL: 'mysql://x@y/z',
          HERD_KAFKA_BROKERS: 'localhost',
          HERD_CONSUL_URL: 'consul:8500',
        });
      } catch (thrown) {
        return thrown as ServiceConfigError;
      }
      throw new Error('expected a ServiceConfigError');
    })();
    expect(error.problems).toEqual([
      { key: 'PORT', problem: '"http" is not a port number (0-65535)' },
      { key: 'HERD_SERVICE_VERSION', problem: '"latest" is not a semantic version (1.2.3)' },
      { key: 'COURSEWARE_DATABASE_URL', problem: 'must be a postgres:// or postgresql:// URL' },
      { key: 'HERD_KAFKA_BROKERS', problem: '"localhost" is not host:port[,host:port…]' },
      { key: 'HERD_CONSUL_URL', problem: 'must be an http:// or https:// URL' },
    ]);
    expect(error.message.split('\n')).toHaveLength(5);
  });

  it('in production refuses every embedded default at once, naming each key', () => {
    expect(() => loadServiceConfig(defaults, { NODE_ENV: 'production' })).toThrow(
      expect.objectContaining({
        problems: [
          expect.objectContaining({ key: 'COURSEWARE_DATABASE_URL' }),
          expect.objectContaining({ key: 'HERD_KAFKA_BROKERS' }),
          expect.objectContaining({ key: 'HERD_CONSUL_URL' }),
        ],
      }),
    );
    // HERD_POSTGRES_URL stands in for the service's own URL (the database is derived from it).
    expect(
      loadServiceConfig(defaults, {
        NODE_ENV: 'production',
        HERD_POSTGRES_URL: 'postgres://a:b@db/herd',
        HERD_KAFKA_BROKERS: 'k:9092',
        HERD_CONSUL_URL: 'http://consul:8500',
      }).databaseUrl,
    ).toBe('postgres://courseware:courseware@db/courseware');
  });

  it("is @nestjs/config's validate: ConfigModule.forRoot fails the boot with every key", async () => {
    const saved = { ...process.env };
    process.env.PORT = '99999';
    process.env.HERD_CONSUL_URL = 'ftp://consul';
    try {
      await expect(
        ConfigModule.forRoot({
          ignoreEnvFile: true,
          validate: (env) => validateServiceEnvironment('courseware', env),
        }),
      ).rejects.toThrow(
        /invalid configuration PORT: "99999" is not a port number[\s\S]*invalid configuration HERD_CONSUL_URL/,
      );
    } finally {
      process.env = saved;
    }
  });
});
