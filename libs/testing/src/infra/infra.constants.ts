/** Versions and ports of the servers Herd provisions for development and tests. */
export const KAFKA_VERSION = '3.9.2';
export const KAFKA_SCALA_VERSION = '2.13';
/** 1.16.3 is the newest Consul release whose module LICENSE is MPL-2.0 and that the Go proxy serves. */
export const CONSUL_VERSION = '1.16.3';
/** Upstream Prometheus (Apache-2.0), built from the Go module proxy: see upstream-prometheus.ts. */
export const PROMETHEUS_VERSION = '2.54.1';
export const CONSUL_LICENSE_MARKER = 'Mozilla Public License, version 2.0';

/**
 * Ports far from the servers' defaults, so a system PostgreSQL, Kafka or Consul never collides,
 * and below Linux's ephemeral range (32768–60999, `net.ipv4.ip_local_port_range`), where any
 * outgoing connection or `listen(0)` may take them first. Spaced at least 60 apart, so checkouts
 * shifted by HERD_INFRA_PORT_OFFSET 0..59 never take each other's.
 */
export const DEFAULT_INFRA_PORTS = {
  postgres: 25432,
  kafka: 29092,
  kafkaController: 29160,
  consulHttp: 28500,
  consulDns: 28600,
  consulGrpc: 28660,
  consulGrpcTls: 28720,
  consulSerfLan: 28300,
  consulSerfWan: 28360,
  consulServer: 28420,
} as const;

/** The first port of Linux's default ephemeral range: every shifted port must stay below it. */
export const EPHEMERAL_PORT_START = 32768;

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
