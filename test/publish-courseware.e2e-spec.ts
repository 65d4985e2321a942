import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, type Consumer, type KafkaMessage } from 'kafkajs';
import { Client } from 'pg';
import { makeSampleMedia, probeMedia, type SampleMedia } from '@herd/media';
import {
  createTestTopics,
  dropTestDatabase,
  eventually,
  freePort,
  herdInfraEnv,
} from '@herd/testing';
import type {
  CoursewareView as CoursewareBody,
  RenditionView as RenditionBody,
} from '../apps/courseware/src/coursewares/dto/courseware-view.dto';
import { CoursewareApi } from './courseware-api';
import { ServiceProcess } from './service-process';

interface JobBody {
  id: string;
  status: string;
  attempts: number;
  worker: string | null;
}

interface ConsulHealthEntry {
  Service: { ID: string; Port: number; Meta: Record<string, string> };
  Checks: Array<{ Status: string }>;
}

const UPLOAD_LIMIT = 1024 * 1024;

/**
 * Courseware and two codec instances as separate processes on real PostgreSQL, Kafka, Consul and
 * ffmpeg: uploads checked by ffprobe, a publish saga whose transcode survives a SIGKILLed codec,
 * renditions that play, and every way of naming a path or URL refused.
 */
describe('courseware and codec on real servers', () => {
  const infra = herdInfraEnv();
  const run = randomUUID().slice(0, 8);
  const ids = {
    courseware: `courseware-e2e-${run}`,
    codecs: [`codec-e2e-${run}-a`, `codec-e2e-${run}-b`],
  };
  let courseware: ServiceProcess;
  const codecs = new Map<string, ServiceProcess>();
  const codecBases = new Map<string, string>();
  let base: string;
  let workDir: string;
  let codecMedia: string;
  let media: SampleMedia;
  let kafka: Kafka;

  const commonEnv = {
    HERD_POSTGRES_URL: infra.postgresUrl,
    HERD_KAFKA_BROKERS: infra.kafkaBrokers.join(','),
    HERD_CONSUL_URL: infra.consulUrl,
    HOST: '127.0.0.1',
  };

  const databaseUrl = (database: string) => {
    const url = new URL(infra.postgresUrl);
    url.pathname = `/${database}`;
    return url.toString();
  };
  async function query<T>(database: string, sql: string, params: unknown[] = []): Promise<T[]> {
    const client = new Client({ connectionString: databaseUrl(database) });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as T[];
    } finally {
      await client.end();
    }
  }

  beforeAll(async () => {
    // Fresh databases: the services create their role and database in development mode, and
    // migrations start from nothing, as on a new machine (on Herd's own cluster: on a server the
    // user gave Herd, their databases are left alone).
    const admin = new Client({ connectionString: infra.postgresUrl });
    await admin.connect();
    for (const database of ['courseware', 'codec']) await dropTestDatabase(admin, database);
    await admin.end();
    workDir = await mkdtemp(join(tmpdir(), 'herd-e2e-'));
    codecMedia = join(workDir, 'codec-storage');
    await mkdir(join(workDir, 'samples'));
    media = await makeSampleMedia(join(workDir, 'samples'), {
      seconds: 8,
      width: 320,
      height: 240,
      tooLargeBytes: UPLOAD_LIMIT + 1,
    });
    kafka = new Kafka({ brokers: infra.kafkaBrokers, logLevel: logLevel.NOTHING });
    const coursewarePort = await freePort();
    for (const id of ids.codecs) {
      const port = await freePort();
      codecs.set(
        id,
        ServiceProcess.start('codec', {
          ...commonEnv,
          PORT: String(port),
          HERD_INSTANCE_ID: id,
          // The codec's storage, shared by its instances; short leases so a takeover is quick.
          CODEC_MEDIA_DIR: codecMedia,
          CODEC_JOB_LEASE_MS: '3000',
          CODEC_JOB_POLL_MS: '200',
        }),
      );
      codecBases.set(id, `http://127.0.0.1:${port}`);
    }
    courseware = ServiceProcess.start('courseware', {
      ...commonEnv,
      PORT: String(coursewarePort),
      HERD_INSTANCE_ID: ids.courseware,
      COURSEWARE_STORAGE_DIR: join(workDir, 'courseware-storage'),
      COURSEWARE_MAX_UPLOAD_BYTES: String(UPLOAD_LIMIT),
    });
    await Promise.all([
      courseware.ready(coursewarePort, 180_000),
      ...ids.codecs.map((id) =>
        (codecs.get(id) as ServiceProcess).ready(
          Number(new URL(codecBases.get(id) as string).port),
          180_000,
        ),
      ),
    ]);
    base = `http://127.0.0.1:${coursewarePort}`;
  }, 300_000);

  afterAll(async () => {
    // Graceful, so their Kafka consumers leave the group instead of holding partitions until
    // their session times out.
    await Promise.all([
      courseware?.stop('SIGTERM'),
      ...[...codecs.values()].map((c) => c.stop('SIGTERM')),
    ]);
  });

  const explain = () =>
    [courseware, ...codecs.values()].map((p) => `${p.name}:\n${p.tail()}`).join('\n');
  const liveCodec = () =>
    [...codecs.entries()].find(([, process]) => !process.exited) as [string, ServiceProcess];

  async function consulInstances(service: string): Promise<ConsulHealthEntry[]> {
    const response = await fetch(`${infra.consulUrl}/v1/health/service/${service}?passing=true`);
    return (await response.json()) as ConsulHealthEntry[];
  }

  const api = new CoursewareApi(() => base, explain);

  async function job(coursewareId: string): Promise<JobBody | undefined> {
    const response = await fetch(
      `${codecBases.get(liveCodec()[0])}/jobs/by-courseware/${coursewareId}`,
    );
    return response.ok ? ((await response.json()) as JobBody) : undefined;
  }

  /** Fetches through courseware as a player does, then asks ffprobe what arrived. */
  async function play(
    rendition: RenditionBody,
  ): Promise<{ codecs: string[]; seconds: number | null }> {
    const response = await fetch(`${base}${rendition.url}`);
    expect(response.status).toBe(200);
    const file = join(workDir, `played-${randomUUID()}`);
    await writeFile(file, Buffer.from(await response.arrayBuffer()));
    const probe = await probeMedia(file, 30_000);
    expect(probe.bytes).toBe(rendition.bytes);
    return { codecs: probe.streams.map((s) => s.codec ?? '?'), seconds: probe.durationSeconds };
  }

  const renditionSets = async () => readdir(join(codecMedia, 'renditions'));

  it('registers every instance in Consul with its version, passing its checks', async () => {
    for (const [service, id] of [
      ['courseware', ids.courseware],
      ...ids.codecs.map((codecId) => ['codec', codecId]),
    ] as const) {
      const mine = await eventually(
        `${id} passing in Consul`,
        async () => (await consulInstances(service)).find((entry) => entry.Service.ID === id),
        { explain },
      );
      expect(mine.Service.Meta.version).toMatch(/^\d+\.\d+\.\d+/);
      expect(mine.Checks.every((check) => check.Status === 'passing')).toBe(true);
    }
  });

  it('is ready only as a real member of its Kafka consumer group, with its lag known', async () => {
    const codecBase = codecBases.get(ids.codecs[0] as string) as string;
    const ready = (await (await fetch(`${codecBase}/health/ready`)).json()) as {
      details: Record<string, { status: string; phase?: string; lag?: number }>;
    };
    expect(ready.details['kafka:saga']).toMatchObject({ status: 'up', phase: 'member' });
    expect(typeof ready.details['kafka:saga']?.lag).toBe('number');
    expect(ready.details).toHaveProperty('database.status', 'up');
    // Consul is a dependency shown on /health, never part of readiness (its outage is shared).
    expect(ready.details).not.toHaveProperty('consul');
    const summary = (await (await fetch(`${codecBase}/health`)).json()) as {
      dependencies: { details: Record<string, { status: string }> };
    };
    expect(summary.dependencies.details).toHaveProperty('consul.status', 'up');
  });

  it('serves its OpenAPI document', async () => {
    const response = await fetch(`${base}/docs-json`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as { paths: Record<string, unknown> };
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/coursewares',
        '/coursewares/{id}/source',
        '/coursewares/{id}/publish',
      ]),
    );
    expect((await fetch(`${base}/docs`)).status).toBe(200);
  });

  it('publishes audio: AAC, Opus and a waveform, each read back with ffprobe and playable', async () => {
    const id = await api.create(`tone ${run}`);
    const uploaded = await api.upload(id, media.tone);
    expect(uploaded.status).toBe(200);
    expect(((await uploaded.json()) as CoursewareBody).kind).toBe('audio');
    await api.publish(id);
    const published = await api.settled(id);
    expect(published).toMatchObject({ status: 'PUBLISHED', rejectionReason: null });
    expect(published.durationSeconds).toBeCloseTo(8, 0);
    const byName = Object.fromEntries((published.renditions ?? []).map((r) => [r.name, r]));
    expect(Object.keys(byName).sort()).toEqual(['aac', 'opus', 'waveform']);
    expect(await play(byName.aac as RenditionBody)).toEqual({
      codecs: ['aac'],
      seconds: expect.closeTo(8, 0),
    });
    expect(await play(byName.opus as RenditionBody)).toEqual({
      codecs: ['opus'],
      seconds: expect.closeTo(8, 0),
    });
    const waveform = (await (await fetch(`${base}${byName.waveform?.url}`)).json()) as {
      peaks: number[];
    };
    expect(waveform.peaks).toHaveLength(80);
    expect(Math.max(...waveform.peaks)).toBeGreaterThan(0.1);
  });

  it('finishes a video transcode exactly once when the codec doing it is SIGKILLed mid-transcode', async () => {
    const id = await api.create(`video ${run}`);
    expect((await api.upload(id, media.video)).status).toBe(200);
    const setsBefore = await renditionSets();
    await api.publish(id);
    // Wait until an instance has claimed the job and its ffmpeg runs, then kill that instance.
    const { worker, ffmpeg } = await eventually(
      'a codec instance running ffmpeg for the job',
      async () => {
        const current = await job(id);
        const process = current?.worker ? codecs.get(current.worker) : undefined;
        if (!process || !current?.worker) return undefined;
        const child = childNamed(process.pid, 'ffmpeg');
        return child ? { worker: current.worker, ffmpeg: child } : undefined;
      },
      { explain, intervalMs: 50, timeoutMs: 120_000 },
    );
    await (codecs.get(worker) as ServiceProcess).stop('SIGKILL');
    // Its encoder does not outlive it: the progress pipe breaks and ffmpeg ends.
    await eventually('the killed worker ffmpeg to end', async () =>
      isRunning(ffmpeg) ? undefined : true,
    );

    const published = await api.settled(id);
    expect(published.status).toBe('PUBLISHED');
    const finished = (await job(id)) as JobBody;
    // Taken up again at least once (more if a loaded machine let a lease run out): whoever ran
    // it, one set of renditions exists, checked below.
    expect(finished.status).toBe('DONE');
    expect(finished.attempts).toBeGreaterThanOrEqual(2);
    const rows = await query<{ count: string }>(
      'codec',
      'SELECT count(*) FROM transcode_job WHERE courseware_id = $1',
      [id],
    );
    expect(rows[0]?.count).toBe('1');
    // One set of renditions, the job's; no attempt folder left behind.
    expect((await renditionSets()).filter((set) => !setsBefore.includes(set))).toEqual([
      finished.id,
    ]);
    expect(
      (await readdir(join(codecMedia, 'work'))).filter((f) => f.startsWith(finished.id)),
    ).toEqual([]);
    const byName = Object.fromEntries((published.renditions ?? []).map((r) => [r.name, r]));
    expect(Object.keys(byName).sort()).toEqual(['h264-360p', 'h264-720p', 'poster']);
    for (const name of ['h264-360p', 'h264-720p'] as const) {
      expect(await play(byName[name] as RenditionBody)).toEqual({
        codecs: ['h264', 'aac'],
        seconds: expect.closeTo(8, 0),
      });
    }
    expect((await play(byName.poster as RenditionBody)).codecs).toEqual(['mjpeg']);

    // Range requests: a player seeks.
    const ranged = await fetch(`${base}${byName['h264-720p']?.url}`, {
      headers: { range: 'bytes=100-199' },
    });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get('content-range')).toBe(`bytes 100-199/${byName['h264-720p']?.bytes}`);
    expect((await ranged.arrayBuffer()).byteLength).toBe(100);

    // A second delivery of the same transcode, and a new command for the same courseware:
    // neither makes another set of renditions.
    const [command] = await query<{ value: string; headers: string | Record<string, string> }>(
      'courseware',
      `SELECT value, headers FROM herd_saga_outbox WHERE topic = 'codec.commands' AND value::json->>'type' = 'codec.transcode' AND value::json->'payload'->>'coursewareId' = $1`,
      [id],
    );
    const headers: Record<string, string> =
      typeof command?.headers === 'string' ? JSON.parse(command.headers) : (command?.headers ?? {});
    const replies = `e2e-replies-${run}`;
    const again = { ...JSON.parse(command?.value ?? '{}'), id: randomUUID(), replyTo: replies };
    const reply = await replyTo(replies, again.id, async () => {
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({
        topic: 'codec.commands',
        messages: [
          { key: again.sagaId, value: command?.value ?? '', headers },
          {
            key: again.sagaId,
            value: JSON.stringify(again),
            headers: { ...headers, 'herd-message-id': again.id },
          },
        ],
      });
      await producer.disconnect();
    });
    expect(reply).toMatchObject({ outcome: 'success', payload: { jobId: finished.id } });
    expect((await renditionSets()).filter((set) => !setsBefore.includes(set))).toEqual([
      finished.id,
    ]);
  }, 300_000);

  it('answers 413 for an upload over the limit and 415 with what ffprobe found for a non-media file', async () => {
    const id = await api.create(`refused ${run}`);
    const large = await api.upload(id, media.tooLarge);
    expect(large.status).toBe(413);
    const text = await api.upload(id, media.notMedia);
    expect(text.status).toBe(415);
    const body = (await text.json()) as { found: string };
    expect(body.found).toBe('no audio or video: Invalid data found when processing input');
    expect(body.found).not.toContain(workDir);
    expect(
      ((await (await fetch(`${base}/coursewares/${id}`)).json()) as CoursewareBody).status,
    ).toBe('DRAFT');
  });

  it('rejects an undecodable video: the saga compensates and shows why', async () => {
    const id = await api.create(`corrupt ${run}`);
    expect((await api.upload(id, media.undecodable)).status).toBe(200);
    await api.publish(id);
    const rejected = await api.settled(id);
    expect(rejected.status).toBe('REJECTED');
    expect(rejected.rejectionReason).toMatch(
      /^step "transcode" failed: ffmpeg could not decode the source: /,
    );
    expect(rejected.renditions).toBeNull();
    expect(await job(id)).toMatchObject({ status: 'FAILED' });
  }, 180_000);

  it('refuses every way of naming a path or URL', async () => {
    const named = await fetch(`${base}/coursewares`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        title: 'x',
        source: { uri: 'file:///proc/self/environ' },
        url: 'http://169.254.169.254/',
      }),
    });
    expect(named.status).toBe(400);
    const { violations } = (await named.json()) as { violations: Array<{ field: string }> };
    expect(violations.map((v) => v.field).sort()).toEqual(['source', 'url']);

    expect((await fetch(`${base}/coursewares/..%2F..%2Fetc%2Fpasswd/source`)).status).toBe(400);
    const id = await api.create(`paths ${run}`);
    const withField = new FormData();
    withField.set('path', '/etc/passwd');
    withField.set('file', new Blob([await readFile(media.tone)]), 'a.wav');
    expect(
      (await fetch(`${base}/coursewares/${id}/source`, { method: 'POST', body: withField })).status,
    ).toBe(400);
    const [codecId] = liveCodec();
    expect(
      (await fetch(`${codecBases.get(codecId)}/renditions/${randomUUID()}/..%2F..%2Fetc%2Fpasswd`))
        .status,
    ).toBe(404);

    // A command sent straight to the codec's topic that names a source goes to the dead-letter
    // topic with its reason: the codec never reads it.
    const poisonId = randomUUID();
    const dead = await deadLetter(poisonId, async () => {
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({
        topic: 'codec.commands',
        messages: [
          {
            key: poisonId,
            value: JSON.stringify({
              envelope: 1,
              id: poisonId,
              kind: 'command',
              type: 'codec.transcode',
              sagaId: poisonId,
              sagaType: 'publish-courseware',
              definitionVersion: 2,
              timestamp: Date.now(),
              correlationId: poisonId,
              causationId: null,
              traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`,
              replyTo: `e2e-nowhere-${run}`,
              payload: {
                coursewareId: id,
                kind: 'audio',
                source: { uri: 'file:///proc/self/environ' },
              },
            }),
          },
        ],
      });
      await producer.disconnect();
    });
    expect(dead['herd-dlq-reason']).toBe('invalid-payload');
    expect(dead['herd-dlq-detail']).toContain('source is not part of the command');
    expect(await job(id)).toBeUndefined();
  }, 180_000);

  it('stops gracefully on SIGTERM and leaves Consul at once', async () => {
    expect(await courseware.stop('SIGTERM')).toEqual({ code: null, signal: 'SIGTERM' });
    expect(courseware.tail(200)).toContain('deregistered');
    const instances = await consulInstances('courseware');
    expect(instances.find((entry) => entry.Service.ID === ids.courseware)).toBeUndefined();
  });

  /** Sends, then waits for the reply to `commandId` on `topic`. */
  async function replyTo(
    topic: string,
    commandId: string,
    send: () => Promise<void>,
  ): Promise<unknown> {
    return consumeUntil(topic, send, (message) => {
      const value = JSON.parse(message.value?.toString() ?? '{}') as { causationId?: string };
      return value.causationId === commandId ? value : undefined;
    });
  }

  /** Sends, then waits for message `messageId` on the codec's dead-letter topic: its headers. */
  async function deadLetter(
    messageId: string,
    send: () => Promise<void>,
  ): Promise<Record<string, string>> {
    return consumeUntil('codec.commands.dlq', send, (message) => {
      const value = JSON.parse(message.value?.toString() ?? '{}') as { id?: string };
      if (value.id !== messageId) return undefined;
      return Object.fromEntries(
        Object.entries(message.headers ?? {}).map(([key, header]) => [key, String(header)]),
      );
    });
  }

  async function consumeUntil<T>(
    topic: string,
    send: () => Promise<void>,
    match: (message: KafkaMessage) => T | undefined,
  ): Promise<T> {
    const admin = kafka.admin();
    await admin.connect();
    await createTestTopics(admin, [{ topic }]);
    await admin.disconnect();
    const consumer: Consumer = kafka.consumer({ groupId: `e2e-${run}-${randomUUID()}` });
    let found: T | undefined;
    try {
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          found ??= match(message);
        },
      });
      await send();
      // Generous: a SIGKILLed codec holds its partitions until its session times out (30 s).
      return await eventually(`a message on ${topic}`, async () => found, {
        explain,
        timeoutMs: 120_000,
      });
    } finally {
      await consumer.disconnect();
    }
  }
});

/** The pid of a direct child process named `name` of `parent`, if one runs. */
function childNamed(parent: number, name: string): number | undefined {
  try {
    const out = execFileSync('pgrep', ['-P', String(parent), '-x', name], { encoding: 'utf8' });
    return Number(out.trim().split('\n')[0]) || undefined;
  } catch {
    return undefined;
  }
}

/** Alive and not a zombie (an orphan may wait for a PID 1 that never reaps it). */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}
