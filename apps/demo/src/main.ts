import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { INestApplication } from '@nestjs/common';
import { makeSampleMedia, probeMedia } from '@herd/media';
import { InMemoryRegistryStore } from '@herd/registry';
import { MemoryBroker, SagaOrchestrator } from '@herd/saga';
import { ServiceConfig, loadServiceConfig, startService } from '@herd/service';
import { CODEC_SERVICE, COURSEWARE_SERVICE } from '@herd/contracts';
import { CodecModule } from '../../codec/src/codec.module';
import { CODEC_DEFAULT_PORT } from '../../codec/src/codec.constants';
import { loadCodecOptions } from '../../codec/src/codec-options';
import { CoursewareModule } from '../../courseware/src/courseware.module';
import { COURSEWARE_DEFAULT_PORT } from '../../courseware/src/courseware.constants';
import { serveCoursewareDocs } from '../../courseware/src/courseware.docs';
import type {
  CoursewareView as CoursewareBody,
  RenditionView as RenditionBody,
} from '../../courseware/src/coursewares/dto/courseware-view.dto';
import { ensureFfmpeg, logFile } from './demo-media';

/** Small enough to show a 413 with a tiny file; the services' own default is 512 MiB. */
const DEMO_UPLOAD_LIMIT = 4 * 1024 * 1024;

const say = (line = '') => process.stdout.write(`${line}\n`);

/**
 * The main job: both example services on embedded defaults in one process (SQLite in memory,
 * in-memory saga transport and registry shared between them), real media made with ffmpeg,
 * uploaded, published through the saga (its steps printed as they happen), every rendition
 * checked with ffprobe; bad uploads refused, an undecodable file compensated. Then it serves
 * until Ctrl-C so the printed URLs play; `npm start -- --once` stops after the walkthrough.
 */
async function main(): Promise<void> {
  const once = process.argv.includes('--once');
  const workDir = await mkdtemp(join(tmpdir(), 'herd-demo-'));
  const version = process.env.npm_package_version ?? '0.1.0';
  say('Herd demo');
  say(`  ${await ensureFfmpeg(say, workDir)}`);

  const embedded = { broker: new MemoryBroker(), registryStore: new InMemoryRegistryStore() };
  const logPath = join(workDir, 'services.log');
  const overrides = { embedded, logging: { destination: logFile(logPath) } };
  const codecConfig = config(CODEC_SERVICE, version, CODEC_DEFAULT_PORT);
  const coursewareConfig = config(COURSEWARE_SERVICE, version, COURSEWARE_DEFAULT_PORT);
  say(`  booting codec and courseware (${describe(coursewareConfig)}); JSON logs: ${logPath}`);
  const codec = await startService(
    CodecModule.forRoot(
      codecConfig,
      loadCodecOptions(codecConfig.instanceId, { CODEC_MEDIA_DIR: join(workDir, 'codec-storage') }),
      overrides,
    ),
    codecConfig,
  );
  const courseware = await startService(
    CoursewareModule.forRoot(
      coursewareConfig,
      { storageDir: join(workDir, 'courseware-storage'), maxUploadBytes: DEMO_UPLOAD_LIMIT },
      overrides,
    ),
    coursewareConfig,
    { beforeListen: (app) => serveCoursewareDocs(app, version) },
  );
  const base = await urlOf(courseware);
  const codecBase = await urlOf(codec);
  say(`  courseware ${base}   codec ${codecBase}`);

  const samples = join(workDir, 'samples');
  await mkdir(samples);
  const media = await makeSampleMedia(samples, {
    seconds: 3,
    width: 640,
    height: 360,
    tooLargeBytes: DEMO_UPLOAD_LIMIT + 1,
  });
  say(`\nSample media made with ffmpeg in ${samples}`);

  const api = new Api(base, codecBase, courseware.get(SagaOrchestrator));
  const published: CoursewareBody[] = [];
  let step = 1;
  for (const [title, file] of [
    ['A 440 Hz lecture tone', media.tone],
    ['A test-pattern lecture video', media.video],
  ] as const) {
    say(`\n${step++}. "${title}": upload ${basename(file)}, publish`);
    const ready = await api.upload(await api.create(title), file);
    say(
      `   ffprobe on upload: ${ready.kind}, ${ready.source?.format}; ${ready.source?.streams.join(', ')}`,
    );
    const done = await api.publish(ready.id);
    say(`   ${done.status}, duration ${done.durationSeconds?.toFixed(2)} s`);
    for (const rendition of done.renditions ?? []) {
      say(`     ${await playCheck(base, rendition, join(workDir, 'played'))}`);
    }
    published.push(done);
  }

  say(`\n${step++}. Uploads courseware refuses`);
  for (const [what, file] of [
    ['a text file', media.notMedia],
    [`a file over the ${DEMO_UPLOAD_LIMIT / 1024 / 1024} MiB limit`, media.tooLarge],
  ] as const) {
    const draft = await api.create(`Refused: ${what}`);
    const response = await api.uploadRaw(draft, file);
    const body = (await response.json()) as { message: string; found?: string };
    say(`   ${what}: HTTP ${response.status} ${body.found ? `found ${body.found}` : body.message}`);
  }

  say(`\n${step++}. An undecodable video (its header is fine, its frames are noise)`);
  const corrupt = await api.upload(await api.create('A corrupt recording'), media.undecodable);
  say(`   ffprobe on upload: ${corrupt.kind}, ${corrupt.source?.streams.join(', ')}: accepted`);
  const rejected = await api.publish(corrupt.id);
  say(`   ${rejected.status} (compensated): ${rejected.rejectionReason}`);

  say(`\n${step++}. Requests that try to name a path or URL`);
  for (const body of [
    { title: 'x', source: { uri: 'file:///proc/self/environ' } },
    { title: '', url: 'http://169.254.169.254/' },
  ]) {
    const response = await fetch(`${base}/coursewares`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const { violations } = (await response.json()) as {
      violations: Array<{ field: string; reason: string }>;
    };
    say(
      `   HTTP ${response.status}: ${violations.map((v) => `${v.field}: ${v.reason}`).join('; ')}`,
    );
  }
  const traversal = await fetch(`${base}/coursewares/..%2F..%2Fetc%2Fpasswd/source`);
  say(`   GET /coursewares/..%2F..%2Fetc%2Fpasswd/source: HTTP ${traversal.status}`);

  const ok = published.every((c) => c.status === 'PUBLISHED') && rejected.status === 'REJECTED';
  say(`\n${ok ? 'Every step behaved.' : 'Some step did not behave: see the lines above.'}`);
  say('Open:');
  say(`  ${base}/docs                      the API (OpenAPI at /docs-json)`);
  for (const courseware of published) {
    for (const rendition of courseware.renditions ?? []) say(`  ${base}${rendition.url}`);
  }
  process.exitCode = ok ? 0 : 1;
  if (!once) {
    say('\nServing until Ctrl-C (SIGINT/SIGTERM stop both gracefully).');
    return;
  }
  await courseware.close();
  await codec.close();
}

/** Fetches a rendition through courseware, as a player would, and asks ffprobe what it is. */
async function playCheck(base: string, rendition: RenditionBody, dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const response = await fetch(`${base}${rendition.url}`);
  const file = join(dir, `${rendition.name}-${Date.now()}`);
  await writeFile(file, Buffer.from(await response.arrayBuffer()));
  const name = rendition.name.padEnd(10);
  if (rendition.name === 'waveform') {
    const { peaks } = JSON.parse(await readFile(file, 'utf8')) as { peaks: number[] };
    return `${name} JSON, ${peaks.length} peaks, ${rendition.bytes} bytes`;
  }
  const probe = await probeMedia(file, 30_000);
  const codec = probe.streams.map((s) => s.codec).join('+');
  const seconds = probe.durationSeconds ? `${probe.durationSeconds.toFixed(2)} s` : 'still image';
  return `${name} ${codec}, ${seconds}, ${probe.bytes} bytes (HTTP ${response.status})`;
}

/** The demo's HTTP client: courseware's API, and the saga's steps printed while waiting. */
class Api {
  constructor(
    private readonly base: string,
    private readonly codecBase: string,
    private readonly sagas: SagaOrchestrator,
  ) {}

  async create(title: string): Promise<string> {
    const response = await this.call('POST', '/coursewares', JSON.stringify({ title }), 201);
    return response.id;
  }

  uploadRaw(id: string, file: string): Promise<Response> {
    return readFile(file).then((bytes) => {
      const form = new FormData();
      form.set('file', new Blob([bytes]), basename(file));
      return fetch(`${this.base}/coursewares/${id}/source`, { method: 'POST', body: form });
    });
  }

  async upload(id: string, file: string): Promise<CoursewareBody> {
    const response = await this.uploadRaw(id, file);
    if (response.status !== 200)
      throw new Error(`upload: HTTP ${response.status} ${await response.text()}`);
    return (await response.json()) as CoursewareBody;
  }

  async publish(id: string): Promise<CoursewareBody> {
    await this.call('POST', `/coursewares/${id}/publish`, undefined, 202);
    let last = '';
    return until(async () => {
      const current = await this.call('GET', `/coursewares/${id}`, undefined, 200);
      const saga = (await this.sagas.list({ limit: 1000 })).find((s) => s.correlationId === id);
      const job = await fetch(`${this.codecBase}/jobs/by-courseware/${id}`);
      const { status, progress } = job.ok
        ? ((await job.json()) as { status: string; progress: number })
        : { status: 'not created yet', progress: 0 };
      const step = saga?.currentStep ? ` at step "${saga.currentStep}"` : '';
      const now = saga ? `saga ${saga.state}${step}; codec job ${status} ${progress}%` : '';
      if (now && now !== last) say(`   ${now}`);
      last = now;
      return current.status === 'PUBLISHING' ? undefined : current;
    }, `courseware ${id} to leave PUBLISHING`);
  }

  private async call(method: string, path: string, body: string | undefined, expected: number) {
    const response = await fetch(`${this.base}${path}`, {
      method,
      headers: body ? { 'content-type': 'application/json' } : {},
      body,
    });
    if (response.status !== expected) {
      throw new Error(`${method} ${path}: HTTP ${response.status} ${await response.text()}`);
    }
    return (await response.json()) as CoursewareBody;
  }
}

function config(name: string, version: string, port: number): ServiceConfig {
  return loadServiceConfig(
    { name, version, port },
    { ...process.env, PORT: String(port), HOST: '127.0.0.1' },
  );
}

function describe(c: ServiceConfig): string {
  return [
    c.databaseUrl ? 'PostgreSQL' : 'embedded SQLite',
    c.kafkaBrokers ? 'Kafka' : 'in-memory saga transport',
    c.consulUrl ? 'Consul' : 'in-memory registry',
  ].join(', ');
}

async function urlOf(app: INestApplication): Promise<string> {
  return (await app.getUrl()).replace('[::1]', '127.0.0.1');
}

async function until<T>(
  probe: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 120_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`gave up waiting for ${what} after ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${(error as Error).message ?? error}\n`);
  process.exit(1);
});
