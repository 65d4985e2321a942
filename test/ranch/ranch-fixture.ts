import { execFile, execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ServiceManifest, defineServiceManifest } from '@herd/manifest';
import {
  ServiceClientFactory,
  ServiceInstance,
  ConsulServiceRegistry,
  validateRegistryOptions,
} from '@herd/registry';
import {
  DockerEngineClient,
  SwarmServiceOptions,
  buildServiceSpec,
  ensureSwarm,
  swarmSecretNeeds,
} from '@herd/swarm';
import { HerdInfraEnv, eventually, herdInfraEnv } from '@herd/testing';
import { codecManifest } from '../../apps/codec/src/codec.manifest';
import { recreateServiceDatabase } from '../service-databases';

const run = promisify(execFile);

/**
 * A herd of real codec tasks on this machine's one-node swarm, on the host network and loopback,
 * against the real Consul, Kafka and PostgreSQL of `npm run infra`. Everything it makes carries
 * its own stack name and is removed by `close()`.
 */
export class RanchFixture {
  readonly stack = `herdtest${randomUUID().slice(0, 6)}`;
  readonly docker = new DockerEngineClient();
  readonly infra: HerdInfraEnv = herdInfraEnv();
  private readonly images: string[] = [];
  private readonly registry: ConsulServiceRegistry;
  private readonly clients: ServiceClientFactory;
  private readonly media = mkdtempSync(join(tmpdir(), 'herd-ranch-media-'));
  private secrets: string[] = [];

  constructor() {
    const options = validateRegistryOptions({
      service: { name: 'ranch-test-client', version: '0.0.0' },
      consul: { url: this.infra.consulUrl },
    });
    this.registry = new ConsulServiceRegistry(options);
    this.clients = new ServiceClientFactory(this.registry, options);
    chmodSync(this.media, 0o777);
  }

  /** Quick checks keep a roll short: a task is healthy 2–4 s after it is ready. */
  manifest(version: string, env: Record<string, string> = {}): ServiceManifest {
    return defineServiceManifest({
      ...codecManifest,
      version,
      env: { ...codecManifest.env, ...env },
      health: {
        intervalSeconds: 2,
        timeoutSeconds: 1,
        gracePeriodSeconds: 20,
        maxConsecutiveFailures: 3,
      },
    });
  }

  options(replicas: number): SwarmServiceOptions {
    return {
      stack: this.stack,
      hostPortPrefix: 421,
      replicas,
      host: '127.0.0.1',
      secretPrefix: `${this.stack}-`,
      env: {
        HERD_CONSUL_URL: this.infra.consulUrl,
        HERD_KAFKA_BROKERS: this.infra.kafkaBrokers.join(','),
      },
      volumeSources: { '/srv/media': this.media },
    };
  }

  get serviceName(): string {
    return `${this.stack}_codec`;
  }

  /** The swarm, codec's own database and the Docker secrets the service reads. */
  async start(): Promise<void> {
    await ensureSwarm(this.docker);
    const databaseUrl = await recreateServiceDatabase(this.infra.postgresUrl, 'codec');
    const values: Record<string, string> = {
      CODEC_DATABASE_URL: databaseUrl,
      HERD_CONSUL_TOKEN: 'anonymous',
    };
    for (const need of swarmSecretNeeds(this.manifest('0.0.0'), this.options(0))) {
      await this.docker.createSecret(need.name, values[need.envKey] ?? '', {
        'io.herd.test': this.stack,
      });
      this.secrets.push(need.name);
    }
  }

  spec(version: string, replicas: number, env: Record<string, string> = {}) {
    return buildServiceSpec(this.manifest(version, env), this.options(replicas));
  }

  /** `herd/codec:<version>`: the built image plus a version label, a layer of its own. */
  imageVersion(version: string): void {
    const image = `herd/codec:${version}`;
    execFileSync('docker', ['build', '-q', '-t', image, '-'], {
      input: `FROM herd/codec:${codecManifest.version}\nLABEL org.opencontainers.image.version=${version}\n`,
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    this.images.push(image);
  }

  /** Codec's passing instances in Consul that belong to this fixture's tasks. */
  async consulInstances(): Promise<ServiceInstance[]> {
    const tasks = await this.docker.listTasks({ service: [this.serviceName] });
    const ids = new Set(tasks.map((task) => task.ID));
    return (await this.registry.resolve('codec')).filter((instance) =>
      ids.has(instance.id.split('-').pop() ?? ''),
    );
  }

  codecClient() {
    return this.clients.forService('codec', { retries: 2 });
  }

  async close(): Promise<void> {
    await this.docker.removeService(this.serviceName).catch(() => undefined);
    await eventually(
      'the test service’s tasks gone',
      async () =>
        (await this.docker.listTasks({ service: [this.serviceName] }).catch(() => [])).length === 0
          ? true
          : undefined,
      { timeoutMs: 90_000 },
    ).catch(() => undefined);
    for (const secret of this.secrets) {
      await this.docker.removeSecret(secret).catch(() => undefined);
    }
    for (const image of this.images) await run('docker', ['rmi', image]).catch(() => undefined);
    this.clients.onApplicationShutdown();
    await this.registry.close();
  }
}
