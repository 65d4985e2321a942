/** `<NAME>_DATABASE_URL`: the key a service reads its own database URL from. */
export function serviceDatabaseUrlKey(service: string): string {
  return `${service.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_DATABASE_URL`;
}

export interface ClusterEnvOptions {
  /** Default `kafka.service.consul:9092`: Kafka's brokers by Consul DNS. */
  readonly kafkaBrokers?: string;
  /** Default `http://consul.service.consul:8500`. */
  readonly consulUrl?: string;
  /** Prefix of the secret store paths. Default `herd/<service>`. */
  readonly secretPrefix?: string;
}

/**
 * The environment a herd member needs on a cluster, under the keys `loadServiceConfig` reads:
 * NODE_ENV=production (so a missing server fails the boot instead of falling back to embedded
 * defaults), the servers by Consul DNS name, and the credentials as secret references only.
 */
export function clusterServiceEnv(
  service: string,
  options: ClusterEnvOptions = {},
): Record<string, string | { readonly secret: string }> {
  const secrets = options.secretPrefix ?? `herd/${service}`;
  return {
    NODE_ENV: 'production',
    HERD_KAFKA_BROKERS: options.kafkaBrokers ?? 'kafka.service.consul:9092',
    HERD_CONSUL_URL: options.consulUrl ?? 'http://consul.service.consul:8500',
    HERD_CONSUL_TOKEN: { secret: `${secrets}/consul-token` },
    [serviceDatabaseUrlKey(service)]: { secret: `${secrets}/database-url` },
  };
}
