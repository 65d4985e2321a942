import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmod, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { Wait } from 'testcontainers';
import {
  BuiltImage,
  ServiceContainer,
  StartedServiceContainer,
  buildServiceImages,
  consoleProgress,
  eventually,
  freePort,
  herdInfraEnv,
  resolveInfraPaths,
} from '@herd/testing';
import { runMediaTool } from '@herd/media';
import { version } from '../package.json';
import { CoursewareApi } from './courseware-api';
import { recreateServiceDatabase } from './service-databases';

const exec = promisify(execFile);
const docker = async (...args: string[]) =>
  (await exec('docker', args, { maxBuffer: 16 << 20 })).stdout.trim();

const AUDIO_RENDITIONS = [
  ['aac', 'aac'],
  ['opus', 'opus'],
  ['waveform', null],
];

/**
 * The example services as Docker images, started, waited for and removed through testcontainers:
 * run as uid 999 on a read-only root file system with every capability dropped, publishing
 * coursewares across containers on real Kafka, PostgreSQL and Consul (host networking: the servers
 * listen on the host's loopback only), stopped by SIGTERM through tini.
 */
describe('service images (real Docker engine, testcontainers)', () => {
  const run = randomUUID().slice(0, 8);
  const started: StartedServiceContainer[] = [];
  const infra = herdInfraEnv();
  let images: Record<string, BuiltImage>;
  let env: Record<string, string>;
  let mediaIn: string;
  let mediaOut: string;
  let courseware: StartedServiceContainer;
  let codec: StartedServiceContainer;

  async function startCodec(instance: string): Promise<StartedServiceContainer> {
    const container = await new ServiceContainer(images.codec?.id ?? '', await freePort())
      .withEnvironment({ ...env, CODEC_MEDIA_DIR: '/data/media', HERD_INSTANCE_ID: instance })
      .withBindMounts([{ source: mediaOut, target: '/data', mode: 'rw' }])
      .startService();
    started.push(container);
    return container;
  }

  const base = () => `http://127.0.0.1:${courseware.port}`;

  const api = new CoursewareApi(base);

  /** A real tone made with ffmpeg on the host, uploaded to courseware and published. */
  async function publish(title: string, seconds: number): Promise<string> {
    const tone = join(mediaIn, `tone-${seconds}.wav`);
    await runMediaTool(
      'ffmpeg',
      ['-f', 'lavfi', '-i', `sine=duration=${seconds}`, '-ar', '8000', '-y', tone],
      { timeoutMs: 120_000 },
    );
    return api.publishFile(title, tone);
  }

  async function query<T>(url: string, sql: string, params: unknown[]): Promise<T[]> {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as T[];
    } finally {
      await client.end();
    }
  }

  const jobsOf = (coursewareId: string) =>
    query<{ status: string }>(
      env.CODEC_DATABASE_URL as string,
      'SELECT status FROM transcode_job WHERE courseware_id = $1',
      [coursewareId],
    );

  /** Instance ids Consul lists for a service, with their aggregated check status. */
  async function consulInstances(service: string): Promise<Record<string, string>> {
    const entries = (await (
      await fetch(`${infra.consulUrl}/v1/health/service/${service}`)
    ).json()) as Array<{ Service: { ID: string }; Checks: Array<{ Status: string }> }>;
    return Object.fromEntries(
      entries.map((entry) => [
        entry.Service.ID,
        entry.Checks.every((check) => check.Status === 'passing') ? 'passing' : 'failing',
      ]),
    );
  }

  beforeAll(async () => {
    const built = await buildServiceImages(['courseware', 'codec'], {
      paths: resolveInfraPaths(),
      progress: consoleProgress,
    });
    images = Object.fromEntries(built.map((image) => [image.app, image]));
    mediaIn = await mkdtemp(join(tmpdir(), 'herd-image-in-'));
    mediaOut = await mkdtemp(join(tmpdir(), 'herd-image-out-'));
    // The service runs as uid 999: the folder it writes into must let it.
    await chmod(mediaOut, 0o777);
    env = {
      // Production images never create databases: the operator does, as here, beforehand.
      COURSEWARE_DATABASE_URL: await recreateServiceDatabase(infra.postgresUrl, 'courseware'),
      CODEC_DATABASE_URL: await recreateServiceDatabase(infra.postgresUrl, 'codec'),
      HERD_KAFKA_BROKERS: infra.kafkaBrokers.join(','),
      HERD_CONSUL_URL: infra.consulUrl,
    };
    codec = await startCodec(`codec-image-${run}-1`);
    courseware = await new ServiceContainer(images.courseware?.id ?? '', await freePort())
      .withEnvironment({ ...env, HERD_INSTANCE_ID: `courseware-image-${run}` })
      .startService();
    started.push(courseware);
  }, 900_000);

  afterAll(async () => {
    for (const container of started) await container.container.stop().catch(() => undefined);
  });

  it('runs as uid 999 on a read-only root, no capabilities, no new privileges, no SQLite', async () => {
    const image = images.courseware?.id ?? '';
    expect(await docker('image', 'inspect', '--format', '{{.Config.User}}', image)).toBe('999:999');
    const { container } = courseware;
    const status = (await container.exec(['cat', '/proc/1/status'])).output;
    expect(status).toMatch(/^Uid:\s+999\s+999\s+999\s+999$/m);
    expect(status).toMatch(/^CapEff:\s+0+$/m);
    expect(status).toMatch(/^NoNewPrivs:\s+1$/m);
    const write = await container.exec(['touch', '/app/written']);
    expect(write.exitCode).not.toBe(0);
    expect(write.output).toMatch(/Read-only file system/);
    // The declared volumes are the writable places.
    expect((await container.exec(['touch', '/tmp/scratch', '/data/kept'])).exitCode).toBe(0);
    const sqlite = await container.exec(['node', '-e', "require.resolve('better-sqlite3')"]);
    expect(sqlite.exitCode).not.toBe(0);
    expect(sqlite.output).toMatch(/Cannot find module 'better-sqlite3'/);
    // The image's own HEALTHCHECK (liveness, every 5 s) passes.
    await eventually('Docker to report courseware healthy', async () =>
      (await docker('inspect', '--format', '{{.State.Health.Status}}', container.getId())) ===
      'healthy'
        ? true
        : undefined,
    );
  });

  it('carries the OCI labels: version, source and revision of this checkout', async () => {
    const labels = JSON.parse(
      await docker(
        'image',
        'inspect',
        '--format',
        '{{json .Config.Labels}}',
        images.codec?.id ?? '',
      ),
    ) as Record<string, string>;
    const head = (await exec('git', ['rev-parse', 'HEAD'])).stdout.trim();
    expect(labels['org.opencontainers.image.version']).toBe(version);
    expect(labels['org.opencontainers.image.revision']).toMatch(new RegExp(`^${head}(-dirty)?$`));
    expect(labels['org.opencontainers.image.source']).toBeTruthy();
  });

  it('shares the Debian packages layer (ffmpeg) between courseware and codec', async () => {
    const layers = async (image: string) =>
      JSON.parse(
        await docker('image', 'inspect', '--format', '{{json .RootFS.Layers}}', image),
      ) as string[];
    const [base, coursewareLayers, codecLayers] = await Promise.all([
      layers(images.codec?.baseImage ?? ''),
      layers(images.courseware?.id ?? ''),
      layers(images.codec?.id ?? ''),
    ]);
    let shared = 0;
    while (shared < coursewareLayers.length && coursewareLayers[shared] === codecLayers[shared]) {
      shared++;
    }
    // The base's layers, then the one that installs tini and ffmpeg: a node stores it once.
    expect(shared).toBeGreaterThan(base.length);
  });

  it('publishes a courseware across the two containers through the saga', async () => {
    const published = await api.settled(await publish(`image e2e ${run}`, 1));
    expect([published.status, published.rejectionReason]).toEqual(['PUBLISHED', null]);
    // ffmpeg and ffprobe run inside the images: real renditions, read back by the codec.
    expect(published.renditions?.map((r) => [r.name, r.codec])).toEqual(AUDIO_RENDITIONS);
  }, 180_000);

  it('loses no work when `docker stop` hits codec mid-job: the saga completes once, Consul drops the stopped instance', async () => {
    const stoppedInstance = `codec-image-${run}-1`;
    // Three minutes of audio: seconds of ffmpeg work, so the stop lands while the job runs.
    const id = await publish(`stopped mid-job ${run}`, 180);
    await eventually(
      'codec began the job',
      async () => ((await jobsOf(id))[0]?.status === 'RUNNING' ? true : undefined),
      { timeoutMs: 60_000, intervalMs: 20 },
    );
    await codec.container.stop({ timeout: 30_000, remove: false });
    // The stop landed while the job was running: the worker handed it back unfinished.
    expect(await jobsOf(id)).toEqual([{ status: 'PENDING' }]);
    expect(
      await docker('inspect', '--format', '{{.State.ExitCode}}', codec.container.getId()),
    ).toBe('143');
    // Deregistered before it exited, not left behind as a failing check.
    expect(await consulInstances('codec')).not.toHaveProperty(stoppedInstance);

    const successor = `codec-image-${run}-2`;
    codec = await startCodec(successor);
    const published = await api.settled(id, 300_000);
    expect(published.status).toBe('PUBLISHED');
    expect(published.renditions?.map((r) => [r.name, r.codec])).toEqual(AUDIO_RENDITIONS);
    await eventually(
      'Consul lists the successor passing',
      async () => ((await consulInstances('codec'))[successor] === 'passing' ? true : undefined),
      { timeoutMs: 60_000 },
    );

    const sagas = await query<{ state: string }>(
      env.COURSEWARE_DATABASE_URL as string,
      `SELECT state FROM herd_saga_instance WHERE data::text LIKE $1`,
      [`%${id}%`],
    );
    expect(sagas).toEqual([{ state: 'COMPLETED' }]);
    expect(await jobsOf(id)).toEqual([{ status: 'DONE' }]);
  }, 600_000);

  it('stops on SIGTERM through tini: exits 143 after deregistering from Consul', async () => {
    const instance = `courseware-image-${run}`;
    expect(await consulInstances('courseware')).toHaveProperty(instance);
    await courseware.container.stop({ timeout: 30_000, remove: false });
    // 143 = 128 + SIGTERM: Nest re-raises the signal once its shutdown hooks have run.
    expect(
      await docker('inspect', '--format', '{{.State.ExitCode}}', courseware.container.getId()),
    ).toBe('143');
    expect(await consulInstances('courseware')).not.toHaveProperty(instance);
  });

  it('refuses to boot in production without its servers, naming the missing key', async () => {
    const logs: string[] = [];
    const refused = await new ServiceContainer(images.courseware?.id ?? '', await freePort())
      .withLogConsumer((stream) => stream.on('data', (line: Buffer) => logs.push(line.toString())))
      .withWaitStrategy(Wait.forLogMessage(/failed to start/))
      .start();
    try {
      const exitCode = await eventually(
        'the refused container to exit',
        async () => {
          const state = await docker(
            'inspect',
            '--format',
            '{{.State.Running}} {{.State.ExitCode}}',
            refused.getId(),
          );
          return state.startsWith('false') ? state.split(' ')[1] : undefined;
        },
        { timeoutMs: 30_000 },
      );
      expect(exitCode).toBe('1');
      expect(logs.join('')).toContain(
        'courseware failed to start: invalid configuration COURSEWARE_DATABASE_URL',
      );
    } finally {
      await refused.stop();
    }
  });
});
