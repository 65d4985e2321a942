/** Versions and ports of the servers Herd provisions for development and tests. */
export const KAFKA_VERSION = '3.9.2';
export const KAFKA_SCALA_VERSION = '2.13';
/** 1.16.3 is the newest Consul release whose module LICENSE is MPL-2.0 and that the Go proxy serves. */
export const CONSUL_VERSION = '1.16.3';
export const CONSUL_LICENSE_MARKER = 'Mozilla Public License, version 2.0';

/** Ports far from the servers' defaults so a system PostgreSQL, Kafka or Consul never collides. */
export const DEFAULT_INFRA_PORTS = {
  postgres: 55432,
  kafka: 59092,
  kafkaController: 59093,
  consulHttp: 58500,
  consulDns: 58600,
  consulGrpc: 58502,
  consulGrpcTls: 58503,
  consulSerfLan: 58301,
  consulSerfWan: 58302,
  consulServer: 58300,
} as const;

export type InfraPorts = { readonly [K in keyof typeof DEFAULT_INFRA_PORTS]: number };

/** Shifts every port, so a second checkout can run its own servers beside the first. */
export const INFRA_PORT_OFFSET_KEY = 'HERD_INFRA_PORT_OFFSET';

export const POSTGRES_SUPERUSER = 'herd';
export const POSTGRES_PASSWORD = 'herd';
export const POSTGRES_DATABASE = 'herd';

export const INFRA_ENV_KEYS = {
  postgres: 'HERD_POSTGRES_URL',
  kafka: 'HERD_KAFKA_BROKERS',
  consul: 'HERD_CONSUL_URL',
} as const;
