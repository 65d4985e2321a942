import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { INestApplication } from '@nestjs/common';
import { InMemoryRegistryStore, RegistryService } from '@herd/registry';
import { MemoryBroker } from '@herd/saga';
import { ServiceConfig, loadServiceConfig, startService } from '@herd/service';
import { CodecModule } from '../../codec/src/codec.module';
import { CODEC_DEFAULT_PORT, CODEC_SERVICE } from '../../codec/src/codec.constants';
import { CoursewareModule } from '../../courseware/src/courseware.module';
import {
  COURSEWARE_DEFAULT_PORT,
  COURSEWARE_SERVICE,
} from '../../courseware/src/courseware.constants';
import { logFile, writeWav } from './demo-media';

/**
 * The main job: both example services on embedded defaults in one process (SQLite in memory,
 * in-memory saga transport and registry shared between them), one courseware published through
 * the saga, one rejected and compensated, one refused with 400; then a graceful stop.
 * `npm start -- --serve` keeps both running for you to call.
 */
async function main(): Promise<void> {
  const serve = process.argv.includes('--serve');
  const say = (line = '') => process.stdout.write(`${line}\n`);
  const embedded = { broker: new MemoryBroker(), registryStore: new InMemoryRegistryStore() };
  const version = process.env.npm_package_version ?? '0.1.0';
  const workDir = await mkdtemp(join(tmpdir(), 'herd-demo-'));
  const logPath = join(workDir, 'services.log');
  const overrides = { embedded, logging: serve ? undefined : { destination: logFile(logPath) } };

  const codecConfig = config(CODEC_SERVICE, version, CODEC_DEFAULT_PORT);
  const coursewareConfig = config(COURSEWARE_SERVICE, version, COURSEWARE_DEFAULT_PORT);
  say(`Herd demo: booting codec and courseware (${describe(coursewareConfig)})`);
  const codec = await startService(
    CodecModule.forRoot(codecConfig, join(workDir, 'media'), overrides),
    codecConfig,
  );
  const courseware = await startService(
    CoursewareModule.forRoot(coursewareConfig, overrides),
    coursewareConfig,
  );
  const base = await urlOf(courseware);
  say(`  courseware  ${base}`);
  say(`  codec       ${await urlOf(codec)}`);
  if (!serve) say(`  their JSON logs: ${logPath}`);

  const found = await courseware.get(RegistryService).resolve(CODEC_SERVICE);
  say(
    `\ncourseware discovers codec: ${found.map((i) => `${i.id} @ ${i.address}:${i.port} v${i.version}`).join(', ')}`,
  );

  const source = join(workDir, 'intro.wav');
  await writeWav(source, 1);
  const published = await publish(base, {
    title: 'Introduction to sheep herding',
    source: { uri: pathToFileURL(source).href, format: 'wav' },
    targets: ['mp3-128k', 'thumbnail'],
  });
  say(`\n1. publish "${published.title}": ${published.status}`);
  for (const r of published.renditions ?? [])
    say(`     ${r.target.padEnd(10)} ${r.bytes} bytes  ${r.uri}`);

  const rejected = await publish(base, {
    title: 'A lecture whose recording was lost',
    source: { uri: pathToFileURL(join(workDir, 'missing.wav')).href, format: 'wav' },
    targets: ['mp3-128k'],
  });
  say(`\n2. publish "${rejected.title}": ${rejected.status}`);
  say(`     reason: ${rejected.rejectionReason}`);

  const invalid = await fetch(`${base}/coursewares`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ title: '', source: { uri: 'x', format: 'gif' }, targets: [] }),
  });
  say(`\n3. an invalid body: HTTP ${invalid.status}`);
  for (const v of (
    (await invalid.json()) as { violations: Array<{ field: string; reason: string }> }
  ).violations) {
    say(`     ${v.field}: ${v.reason}`);
  }

  const ready = await until(async () => {
    const response = await fetch(`${base}/health/ready`);
    return response.status === 200
      ? ((await response.json()) as { info: Record<string, { status: string }> })
      : undefined;
  }, 'courseware to report ready');
  say(
    `\n4. courseware /health/ready: HTTP 200, ${Object.entries(ready.info)
      .map(([k, v]) => `${k} ${v.status}`)
      .join(', ')}`,
  );
  const metrics = (await (await fetch(`${base}/metrics`)).text())
    .split('\n')
    .filter((line) => /^herd_saga_(started|completed|compensated)_total/.test(line));
  say('   courseware /metrics (saga counters):');
  for (const line of metrics) say(`     ${line}`);

  if (serve) {
    say('\nServing until Ctrl-C (SIGINT/SIGTERM stop both gracefully).');
    return;
  }
  await courseware.close();
  await codec.close();
  const ok =
    published.status === 'PUBLISHED' && rejected.status === 'REJECTED' && invalid.status === 400;
  say(`\n${ok ? 'Demo finished: every step behaved.' : 'Demo finished with unexpected results.'}`);
  process.exitCode = ok ? 0 : 1;
}

function config(name: string, version: string, port: number): ServiceConfig {
  return loadServiceConfig(
    { name, version, port },
    { ...process.env, PORT: process.env.PORT ?? String(port), HOST: '127.0.0.1' },
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

interface CoursewareBody {
  id: string;
  title: string;
  status: string;
  rejectionReason: string | null;
  renditions: Array<{ target: string; bytes: number; uri: string }> | null;
}

async function publish(base: string, body: unknown): Promise<CoursewareBody> {
  const created = await fetch(`${base}/coursewares`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (created.status !== 202)
    throw new Error(`POST /coursewares: HTTP ${created.status} ${await created.text()}`);
  const { id } = (await created.json()) as CoursewareBody;
  return until(async () => {
    const current = (await (await fetch(`${base}/coursewares/${id}`)).json()) as CoursewareBody;
    return current.status === 'PUBLISHING' ? undefined : current;
  }, `courseware ${id} to leave PUBLISHING`);
}

async function until<T>(
  probe: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 30_000,
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
  process.stderr.write(`demo failed: ${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
