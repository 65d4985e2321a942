import { clusterServiceEnv, serviceDatabaseUrlKey } from './cluster-env';
import { loadServiceConfig } from './service-config';

describe('clusterServiceEnv', () => {
  it('names exactly the keys a production boot requires, credentials as secret references', () => {
    const env = clusterServiceEnv('media-store');
    expect(env[serviceDatabaseUrlKey('media-store')]).toEqual({
      secret: 'herd/media-store/database-url',
    });
    expect(env.HERD_CONSUL_TOKEN).toEqual({ secret: 'herd/media-store/consul-token' });
    // The secret store resolves the references at launch; with them filled in, the boot passes.
    const launched = Object.fromEntries(
      Object.entries(env).map(([key, value]) => [
        key,
        typeof value === 'string' ? value : key.endsWith('_URL') ? 'postgres://db/x' : 'token',
      ]),
    );
    const config = loadServiceConfig({ name: 'media-store', version: '1.0.0', port: 1 }, launched);
    expect(config.databaseUrl).toBe('postgres://db/x');
    expect(config.kafkaBrokers).toEqual(['kafka.service.consul:9092']);
    expect(config.consulUrl).toBe('http://consul.service.consul:8500');
  });
});
