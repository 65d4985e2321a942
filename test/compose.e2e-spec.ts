import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import {
  LocalInfraImages,
  buildLocalInfraImages,
  buildServiceImages,
  consoleProgress,
  eventually,
  freePort,
  resolveInfraPaths,
} from '@herd/testing';
import { runMediaTool } from '@herd/media';
import { CoursewareApi } from './courseware-api';
import { activeTargets, passingInstances } from './prometheus/herd-targets';

const exec = promisify(execFile);
const COMPOSE_FILE = resolve(__dirname, '..', 'docker', 'compose.yml');

interface EngineEvent {
  status: string;
  timeNano: number;
  Actor: { Attributes: Record<string, string> };
}

/**
 * docker/compose.yml booted by Debian's docker-compose with infra images built here from the same
 * artifacts `npm run infra` provisions: every service healthy in order, a courseware published
 * through it, Prometheus scraping every member it found through Consul, Grafana left to its
 * profile, the container isolation in force, named volumes, all removed afterwards.
 */
describe('docker/compose.yml (docker-compose, real containers)', () => {
  const project = `herd-compose-${randomUUID().slice(0, 8)}`;
  let env: NodeJS.ProcessEnv;
  let infraImages: LocalInfraImages;
  let mediaDir: string;
  let coursewarePort: number;
  let prometheusPort: number;
  let events: EngineEvent[] = [];

  const compose = async (...args: string[]) =>
    (
      await exec('docker-compose', ['-f', COMPOSE_FILE, '-p', project, ...args], {
        env,
        maxBuffer: 16 << 20,
      })
    ).stdout.trim();
  const docker = async (...args: string[]) =>
    (await exec('docker', args, { maxBuffer: 16 << 20 })).stdout.trim();
  const containerOf = async (service: string) => compose('ps', '-q', service);

  beforeAll(async () => {
    const context = { paths: resolveInfraPaths(), progress: consoleProgress };
    // Tags are shared on this engine: run exactly what this build made, under this project's tags.
    for (const built of await buildServiceImages(['courseware', 'codec'], context)) {
      await docker('tag', built.id, `${project}/${built.app}:run`);
    }
    infraImages = await buildLocalInfraImages(context);
    mediaDir = await mkdtemp(join(tmpdir(), 'herd-compose-media-'));
    coursewarePort = await freePort();
    prometheusPort = await freePort();
    env = {
      ...process.env,
      ...infraImages,
      HERD_IMAGE_PREFIX: project,
      HERD_VERSION: 'run',
      HERD_COURSEWARE_PORT: String(coursewarePort),
      HERD_CONSUL_PORT: String(await freePort()),
      HERD_PROMETHEUS_PORT: String(prometheusPort),
    };
    consoleProgress('compose', `docker-compose up ${project} (waits for each health check)`);
    // The engine's own record of the start order: container starts and health changes, streamed
    // while `up` runs (the engine keeps only its last 256 events, too few on a shared machine).
    const watcher = spawn('docker', [
      'events',
      '--filter',
      `label=com.docker.compose.project=${project}`,
      '--filter',
      'event=start',
      '--filter',
      'event=health_status',
      '--format',
      '{{json .}}',
    ]);
    let streamed = '';
    watcher.stdout.on('data', (chunk: Buffer) => (streamed += chunk.toString()));
    try {
      // `up` starts each service only once those it depends on report healthy.
      await compose('up', '-d', '--no-build');
    } finally {
      watcher.kill();
    }
    events = streamed
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as EngineEvent);
    await eventually(
      'courseware ready through its published port',
      async () =>
        (await fetch(`http://127.0.0.1:${coursewarePort}/health/ready`)).status === 200
          ? true
          : undefined,
      { timeoutMs: 180_000, intervalMs: 500, explain: () => compose('logs', '--tail', '20') },
    );
  }, 1_200_000);

  afterAll(async () => {
    await compose('down', '--volumes', '--remove-orphans', '--timeout', '30');
    await docker('rmi', `${project}/courseware:run`, `${project}/codec:run`).catch(() => undefined);
  }, 120_000);

  it('runs every service from the images its variables name, each healthy', async () => {
    for (const [service, image] of [
      ['consul', infraImages.HERD_CONSUL_IMAGE],
      ['kafka', infraImages.HERD_KAFKA_IMAGE],
      ['postgres', infraImages.HERD_POSTGRES_IMAGE],
      ['codec', `${project}/codec:run`],
      ['courseware', `${project}/courseware:run`],
    ] as const) {
      const id = await containerOf(service);
      expect(await docker('inspect', '--format', '{{.Config.Image}}', id)).toBe(image);
      expect(await docker('inspect', '--format', '{{.State.Health.Status}}', id)).toBe('healthy');
    }
  });

  it('started codec only once Consul, Kafka and PostgreSQL were healthy, courseware once codec was', async () => {
    const first = (service: string, status: string) =>
      Math.min(
        ...events
          .filter(
            (e) =>
              e.status === status && e.Actor.Attributes['com.docker.compose.service'] === service,
          )
          .map((e) => e.timeNano),
      );
    const codecStarted = first('codec', 'start');
    for (const infra of ['consul', 'kafka', 'postgres']) {
      expect(first(infra, 'health_status: healthy')).toBeLessThan(codecStarted);
    }
    expect(first('codec', 'health_status: healthy')).toBeLessThan(first('courseware', 'start'));
  });

  it('publishes an uploaded courseware through the composed herd: real renditions, served', async () => {
    const tone = join(mediaDir, 'lecture.wav');
    await runMediaTool('ffmpeg', ['-f', 'lavfi', '-i', 'sine=duration=1', '-y', tone], {
      timeoutMs: 120_000,
    });
    const api = new CoursewareApi(() => `http://127.0.0.1:${coursewarePort}`);
    const published = await api.settled(await api.publishFile(`compose ${project}`, tone));
    expect([published.status, published.rejectionReason]).toEqual(['PUBLISHED', null]);
    expect(published.renditions?.map((r) => [r.name, r.codec])).toEqual([
      ['aac', 'aac'],
      ['opus', 'opus'],
      ['waveform', null],
    ]);
    // Courseware serves each rendition from the codec's volume, found through Consul.
    const aac = published.renditions?.[0];
    const served = await fetch(`http://127.0.0.1:${coursewarePort}${aac?.url}`);
    expect(served.status).toBe(200);
    expect(Number(served.headers.get('content-length'))).toBe(aac?.bytes);
  }, 180_000);

  it('runs Prometheus from its image, which finds every herd member through Consul and sees it up', async () => {
    expect(
      await docker('inspect', '--format', '{{.Config.Image}}', await containerOf('prometheus')),
    ).toBe(infraImages.HERD_PROMETHEUS_IMAGE);
    const consul = `http://127.0.0.1:${env.HERD_CONSUL_PORT}`;
    const registered = await passingInstances(consul);
    expect(registered.map((m) => m.Service.Service).sort()).toEqual(['codec', 'courseware']);
    const targets = await eventually(
      'every registered member an up target',
      async () => {
        const active = await activeTargets(`http://127.0.0.1:${prometheusPort}`);
        const up = registered.every((m) =>
          active.some((t) => t.labels.instance === m.Service.ID && t.health === 'up'),
        );
        return up ? active : undefined;
      },
      // Prometheus reads Consul and scrapes every 15 s (the file's own intervals, unchanged).
      {
        timeoutMs: 120_000,
        intervalMs: 1_000,
        explain: async () =>
          `${await compose('logs', '--tail', '20', 'prometheus')}\n${JSON.stringify(
            await (await fetch(`http://127.0.0.1:${prometheusPort}/api/v1/targets`)).json(),
          ).slice(0, 3000)}`,
      },
    );
    for (const member of registered) {
      expect(targets.find((t) => t.labels.instance === member.Service.ID)?.labels).toMatchObject({
        job: 'herd',
        service: member.Service.Service,
        version: member.Service.Meta?.version,
      });
    }
    // Nothing Prometheus scrapes that is not a herd member (Consul itself is dropped).
    expect(targets.map((t) => t.labels.instance).sort()).toEqual(
      registered.map((m) => m.Service.ID).sort(),
    );
  }, 180_000);

  it('leaves Grafana to its profile: a plain `up` neither starts nor pulls it', async () => {
    expect(await containerOf('grafana')).toBe('');
  });

  it('isolates the service containers: read-only root, no capabilities, no new privileges, limits', async () => {
    for (const service of ['codec', 'courseware']) {
      const host = JSON.parse(
        await docker('inspect', '--format', '{{json .HostConfig}}', await containerOf(service)),
      ) as {
        ReadonlyRootfs: boolean;
        CapDrop: string[];
        SecurityOpt: string[];
        Memory: number;
        NanoCpus: number;
        PidsLimit: number;
      };
      expect(host).toMatchObject({
        ReadonlyRootfs: true,
        CapDrop: ['ALL'],
        SecurityOpt: ['no-new-privileges:true'],
        Memory: 512 * 1024 * 1024,
        NanoCpus: 1e9,
        PidsLimit: 256,
      });
    }
  });

  it('keeps state in named volumes of the project', async () => {
    const volumes = (
      await docker(
        'volume',
        'ls',
        '--filter',
        `label=com.docker.compose.project=${project}`,
        '--format',
        '{{.Name}}',
      )
    )
      .split('\n')
      .sort();
    expect(volumes).toEqual(
      ['codec-media', 'courseware-originals', 'kafka-data', 'postgres-data', 'prometheus-data'].map(
        (name) => `${project}_${name}`,
      ),
    );
  });
});
