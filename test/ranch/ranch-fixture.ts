import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { Client } from 'pg';
import {
  ConsulServiceRegistry,
  NoHealthyInstanceError,
  ServiceClientFactory,
  ServiceInstance,
  validateRegistryOptions,
} from '@herd/registry';
import { runMediaTool } from '@herd/media';
import { serviceDatabaseUrlKey } from '@herd/service';
import { DockerEngineClient, SwarmTask, ensureSwarm, swarmSecretNeeds } from '@herd/swarm';
import {
  HerdInfraEnv,
  buildServiceImages,
  eventually,
  herdInfraEnv,
  resolveInfraPaths,
  silentProgress,
} from '@herd/testing';
import { HERD_MANIFESTS } from '../../apps/cli/src/herd-definitions';
import { spawnHerd, type HerdRun } from '../../apps/cli/test/spawn-herd';
import { recreateServiceDatabase } from '../service-databases';

const run = promisify(execFile);

export type Member = 'courseware' | 'codec';

/**
 * The real herd, courseware and codec from their images, on this machine's one-node swarm (made
 * when the engine is in none, and left again at the end), on the host network and loopback,
 * against the real Consul, Kafka and PostgreSQL of `npm run infra`, deployed by the spawned
 * `herd` CLI. Everything it makes carries its own stack name and is removed by `close()`.
 */
export class RanchFixture {
  readonly stack = `herdtest${randomUUID().slice(0, 6)}`;
  readonly docker = new DockerEngineClient();
  readonly infra: HerdInfraEnv = herdInfraEnv();
  /** Versions are image tags of the one build: `1.0.0-<stack>`, `1.1.0-<stack>`, … */
  readonly versions: string[] = [];
  /** Codec's renditions and courseware's originals: one host folder each, shared by the replicas. */
  readonly media = mkdtempSync(join(tmpdir(), 'herd-ranch-media-'));
  readonly originals = mkdtempSync(join(tmpdir(), 'herd-ranch-originals-'));
  /** A real one-second tone, made with ffmpeg: what every publish uploads. */
  readonly tone = join(mkdtempSync(join(tmpdir(), 'herd-ranch-tone-')), 'tone.wav');
  private readonly registry: ConsulServiceRegistry;
  private readonly clients: ServiceClientFactory;
  private readonly secrets: string[] = [];
  private readonly databaseUrls: Partial<Record<Member, string>> = {};
  private swarmCreated = false;

  constructor() {
    const options = validateRegistryOptions({
      service: { name: 'ranch-test-client', version: '0.0.0' },
      consul: { url: this.infra.consulUrl },
    });
    this.registry = new ConsulServiceRegistry(options);
    this.clients = new ServiceClientFactory(this.registry, options);
    // The tasks run as uid 999 and write here.
    chmodSync(this.media, 0o777);
    chmodSync(this.originals, 0o777);
  }

  serviceName(member: Member): string {
    return `${this.stack}_${member}`;
  }

  /** The swarm, the images at every version, each member's database and its Docker secrets. */
  async start(versions: readonly string[]): Promise<void> {
    this.swarmCreated = (await ensureSwarm(this.docker)).created;
    await runMediaTool(
      'ffmpeg',
      ['-f', 'lavfi', '-i', 'sine=duration=1', '-ar', '8000', '-y', this.tone],
      {
        timeoutMs: 60_000,
      },
    );
    const built = await buildServiceImages(['courseware', 'codec'], {
      paths: resolveInfraPaths(),
      progress: silentProgress,
    });
    for (const version of versions) {
      const tag = `${version}-${this.stack}`;
      for (const image of built) {
        await run('docker', ['tag', image.id, `herd/${image.app}:${tag}`]);
      }
      this.versions.push(tag);
    }
    for (const manifest of HERD_MANIFESTS) {
      const member = manifest.name as Member;
      const databaseUrl = await recreateServiceDatabase(this.infra.postgresUrl, member);
      this.databaseUrls[member] = databaseUrl;
      const values: Record<string, string> = {
        [serviceDatabaseUrlKey(member)]: databaseUrl,
        HERD_CONSUL_TOKEN: 'anonymous',
      };
      for (const need of swarmSecretNeeds(manifest, { secretPrefix: `${this.stack}-` })) {
        await this.docker.createSecret(need.name, values[need.envKey] ?? '', {
          'io.herd.test': this.stack,
        });
        this.secrets.push(need.name);
      }
    }
  }

  /** `herd …` in its own process, as a CI job runs it. */
  herd(args: readonly string[]): Promise<HerdRun> {
    return spawnHerd(args, { HERD_BIND_HOST: '127.0.0.1' });
  }

  /** `herd deploy --target swarm <members> --version <version>` into this fixture's stack. */
  deploy(
    members: readonly Member[],
    version: string,
    extra: readonly string[] = [],
  ): Promise<HerdRun> {
    return this.herd([
      'deploy',
      '--target',
      'swarm',
      ...members,
      '--stack',
      this.stack,
      '--version',
      version,
      '--secret-prefix',
      `${this.stack}-`,
      '--volume',
      `/srv/media=${this.media}`,
      '--volume',
      `/srv/originals=${this.originals}`,
      '--env',
      `HERD_CONSUL_URL=${this.infra.consulUrl}`,
      '--env',
      `HERD_KAFKA_BROKERS=${this.infra.kafkaBrokers.join(',')}`,
      '--poll-interval',
      '0.5',
      '--timeout',
      '300',
      ...extra,
    ]);
  }

  tasks(member: Member): Promise<SwarmTask[]> {
    return this.docker.listTasks({ service: [this.serviceName(member)] });
  }

  /** The member's passing instances in Consul that belong to this fixture's tasks (maybe none). */
  async instances(member: Member): Promise<ServiceInstance[]> {
    const ids = new Set((await this.tasks(member)).map((task) => task.ID));
    const passing = await this.registry.resolve(member).catch((error: unknown) => {
      if (error instanceof NoHealthyInstanceError) return [];
      throw error;
    });
    return passing.filter((instance) => ids.has(instance.id.split('-').pop() ?? ''));
  }

  /** Waits until `count` tasks of the member pass in Consul, all at `version` when given. */
  async settled(
    member: Member,
    count: number,
    version?: string,
    timeoutMs = 120_000,
  ): Promise<ServiceInstance[]> {
    return eventually(
      `${count} ${member} instances${version ? ` at ${version}` : ''} passing in Consul`,
      async () => {
        const instances = await this.instances(member);
        return instances.length === count &&
          (!version || instances.every((instance) => instance.version === version))
          ? instances
          : undefined;
      },
      { timeoutMs, intervalMs: 500 },
    );
  }

  /**
   * The registry client as a herd member would configure it for a slow peer: what a roll must not
   * cause is a failed request; an answer that takes seconds on a 2-core machine running five
   * replicas and ffmpeg is not one.
   */
  client(member: Member) {
    return this.clients.forService(member, { retries: 2, timeoutMs: 20_000 });
  }

  /** One row per courseware, and codec's transcode jobs per courseware: the saga's effects. */
  async effects(): Promise<{ coursewares: Map<string, string>; jobs: Map<string, number> }> {
    const read = async (member: Member, sql: string) => {
      const db = new Client({ connectionString: this.databaseUrls[member] });
      await db.connect();
      try {
        return (await db.query(sql)).rows as Array<Record<string, string>>;
      } finally {
        await db.end();
      }
    };
    const coursewares = new Map(
      (await read('courseware', 'SELECT id, status FROM courseware')).map((row) => [
        row.id,
        row.status,
      ]),
    );
    const jobs = new Map<string, number>();
    for (const row of await read('codec', 'SELECT courseware_id FROM transcode_job')) {
      jobs.set(row.courseware_id, (jobs.get(row.courseware_id) ?? 0) + 1);
    }
    return { coursewares, jobs };
  }

  async close(): Promise<void> {
    for (const member of ['courseware', 'codec'] as const) {
      await this.docker.removeService(this.serviceName(member)).catch(() => undefined);
    }
    await eventually(
      'the test services’ tasks gone',
      async () => {
        const left = await Promise.all(
          (['courseware', 'codec'] as const).map((m) => this.tasks(m).catch(() => [])),
        );
        return left.every((tasks) => tasks.length === 0) ? true : undefined;
      },
      { timeoutMs: 120_000 },
    ).catch(() => undefined);
    for (const secret of this.secrets) {
      await this.docker.removeSecret(secret).catch(() => undefined);
    }
    for (const version of this.versions) {
      for (const member of ['courseware', 'codec']) {
        await run('docker', ['rmi', '--no-prune', `herd/${member}:${version}`]).catch(
          () => undefined,
        );
      }
    }
    this.clients.onApplicationShutdown();
    await this.registry.close();
    if (this.swarmCreated && (await this.docker.listServices()).length === 0) {
      await this.docker.leaveSwarm(true);
    }
  }
}

/**
 * Publishes coursewares through the registry client (Consul discovery, as every herd client
 * does), one after the other until stopped: create, upload the tone, publish. Every failed
 * request is kept.
 */
export class PublishTraffic {
  readonly failures: string[] = [];
  readonly accepted: string[] = [];
  private stopped = false;
  private readonly done: Promise<void>;

  constructor(ranch: RanchFixture, intervalMs = 500) {
    const client = ranch.client('courseware');
    this.done = (async () => {
      const upload = await multipart('file', await readFile(ranch.tone), 'tone.wav');
      while (!this.stopped) {
        try {
          // Each call may be sent again to another instance when the one it reached dies: the
          // create by its Idempotency-Key, the upload and the publish because a repeat is harmless.
          const created = await client.post<{ id: string }>(
            '/coursewares',
            { title: `ranch ${this.accepted.length}` },
            { headers: { 'Idempotency-Key': randomUUID() } },
          );
          const { id } = created.body;
          await client.post(`/coursewares/${id}/source`, upload.bytes, {
            headers: { 'content-type': upload.type },
            idempotent: true,
          });
          const published = await client.post(`/coursewares/${id}/publish`, undefined, {
            idempotent: true,
          });
          if (published.status === 202) this.accepted.push(id);
          else this.failures.push(`POST /coursewares/${id}/publish answered ${published.status}`);
        } catch (error) {
          this.failures.push((error as Error).message);
        }
        await sleep(intervalMs);
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.done;
  }
}

/** A multipart form with one file, as bytes and the content type that names its boundary. */
async function multipart(field: string, content: Buffer, filename: string) {
  const form = new FormData();
  form.set(field, new Blob([content]), filename);
  const encoded = new Request('http://form.invalid/', { method: 'POST', body: form });
  return {
    bytes: new Uint8Array(await encoded.arrayBuffer()),
    type: encoded.headers.get('content-type') as string,
  };
}
