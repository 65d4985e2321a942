import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  BuiltImage,
  buildServiceImages,
  consoleProgress,
  eventually,
  freePort,
  herdInfraEnv,
  resolveInfraPaths,
} from '@herd/testing';
import { recreateServiceDatabase } from './service-databases';

const exec = promisify(execFile);
const docker = async (...args: string[]) =>
  (await exec('docker', args, { maxBuffer: 16 << 20 })).stdout.trim();

interface CoursewareBody {
  id: string;
  status: string;
  renditions: Array<{ target: string; uri: string }> | null;
}

/**
 * The example services as Docker images: built locally, run as a non-root user on a read-only
 * root file system, publishing a courseware across two containers on real Kafka, PostgreSQL and
 * Consul (host networking: the servers listen on the host's loopback only), stopped by SIGTERM.
 */
describe('service images (real Docker engine)', () => {
  const run = randomUUID().slice(0, 8);
  const started: string[] = [];
  let images: Record<string, BuiltImage>;
  let courseware: { id: string; port: number };
  let media: string;

  const dockerEnv = (env: Record<string, string>) =>
    Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);

  async function start(
    app: string,
    env: Record<string, string>,
    extra: string[] = [],
  ): Promise<string> {
    const id = await docker(
      'run',
      '-d',
      '--name',
      `herd-${app}-${run}`,
      '--network',
      'host',
      '--read-only',
      '--tmpfs',
      '/tmp',
      ...dockerEnv(env),
      ...extra,
      images[app]?.image ?? '',
    );
    started.push(id);
    return id;
  }

  /** Waits on a container, failing at once with its log when it exits. */
  const until = <T>(probe: () => Promise<T | undefined>, what: string, container: string) =>
    eventually(what, probe, {
      timeoutMs: 90_000,
      intervalMs: 250,
      abortIf: async () =>
        (await docker('inspect', '--format', '{{.State.Running}}', container)) === 'true'
          ? undefined
          : `the container exited\n${await docker('logs', '--tail', '30', container)}`,
      explain: () => docker('logs', '--tail', '30', container),
    });

  const ready = (port: number, container: string) =>
    until(
      async () =>
        (await fetch(`http://127.0.0.1:${port}/health/ready`)).status === 200 ? true : undefined,
      `${container} ready`,
      container,
    );

  beforeAll(async () => {
    const built = await buildServiceImages(['courseware', 'codec'], {
      paths: resolveInfraPaths(),
      progress: consoleProgress,
    });
    images = Object.fromEntries(built.map((image) => [image.app, image]));

    const infra = herdInfraEnv();
    media = await mkdtemp(join(tmpdir(), 'herd-image-e2e-'));
    await chmod(media, 0o755);
    const servers = {
      // Production images never create databases: the operator does, as here, beforehand.
      COURSEWARE_DATABASE_URL: await recreateServiceDatabase(infra.postgresUrl, 'courseware'),
      CODEC_DATABASE_URL: await recreateServiceDatabase(infra.postgresUrl, 'codec'),
      HERD_KAFKA_BROKERS: infra.kafkaBrokers.join(','),
      HERD_CONSUL_URL: infra.consulUrl,
      HOST: '127.0.0.1',
    };
    const [coursewarePort, codecPort] = [await freePort(), await freePort()];
    const codec = await start(
      'codec',
      {
        ...servers,
        PORT: String(codecPort),
        CODEC_MEDIA_DIR: '/tmp/media',
        HERD_INSTANCE_ID: `codec-image-${run}`,
      },
      ['-v', `${media}:/media-in:ro`],
    );
    const coursewareId = await start('courseware', {
      ...servers,
      PORT: String(coursewarePort),
      HERD_INSTANCE_ID: `courseware-image-${run}`,
    });
    await Promise.all([ready(codecPort, codec), ready(coursewarePort, coursewareId)]);
    courseware = { id: coursewareId, port: coursewarePort };
  }, 900_000);

  afterAll(async () => {
    for (const id of started) await docker('rm', '-f', id).catch(() => undefined);
  });

  it('runs as an unprivileged user on a read-only file system, and the engine sees it healthy', async () => {
    expect(
      await docker(
        'image',
        'inspect',
        '--format',
        '{{.Config.User}}',
        images.courseware?.image ?? '',
      ),
    ).toBe('999:999');
    expect(
      await docker(
        'exec',
        courseware.id,
        'node',
        '-e',
        'process.stdout.write(String(process.getuid()))',
      ),
    ).toBe('999');
    await expect(docker('exec', courseware.id, 'touch', '/app/written')).rejects.toThrow(
      /Read-only file system/,
    );
    await until(
      async () =>
        (await docker('inspect', '--format', '{{.State.Health.Status}}', courseware.id)) ===
        'healthy'
          ? true
          : undefined,
      'docker HEALTHCHECK healthy',
      courseware.id,
    );
  });

  it('publishes a courseware across the two containers through the saga', async () => {
    await writeFile(join(media, 'lecture.wav'), Buffer.from(`RIFF-image-${run}`));
    const base = `http://127.0.0.1:${courseware.port}`;
    const created = await fetch(`${base}/coursewares`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        title: `image e2e ${run}`,
        source: { uri: 'file:///media-in/lecture.wav', format: 'wav' },
        targets: ['mp3-128k'],
      }),
    });
    expect(created.status).toBe(202);
    const { id } = (await created.json()) as CoursewareBody;
    const published = await until(
      async () => {
        const body = (await (await fetch(`${base}/coursewares/${id}`)).json()) as CoursewareBody;
        return body.status === 'PUBLISHING' ? undefined : body;
      },
      'courseware published',
      courseware.id,
    );
    expect(published.status).toBe('PUBLISHED');
    expect(published.renditions?.[0]?.uri).toMatch(/^file:\/\/\/tmp\/media\/.+\/mp3-128k\.mp3$/);
  }, 120_000);

  it('stops on SIGTERM through tini: deregisters and drains before exiting', async () => {
    await docker('stop', '--time', '30', courseware.id);
    // 143 = 128 + SIGTERM: Nest re-raises the signal once its shutdown hooks have run.
    expect(await docker('inspect', '--format', '{{.State.ExitCode}}', courseware.id)).toBe('143');
    expect(await docker('logs', courseware.id)).toMatch(
      /deregistered courseware instance courseware-image-/,
    );
  });

  it('refuses to boot in production without its servers, naming the missing key', async () => {
    const result = await exec('docker', [
      'run',
      '--rm',
      '--read-only',
      images.courseware?.image ?? '',
    ]).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'courseware failed to start: invalid configuration COURSEWARE_DATABASE_URL',
    );
  });
});
