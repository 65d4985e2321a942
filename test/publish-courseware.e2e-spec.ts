import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { dropTestDatabase, eventually, freePort, herdInfraEnv } from '@herd/testing';
import { ServiceProcess } from './service-process';

interface CoursewareBody {
  id: string;
  status: string;
  rejectionReason: string | null;
  renditions: Array<{ target: string; uri: string; bytes: number }> | null;
}

interface ConsulHealthEntry {
  Service: { ID: string; Port: number; Meta: Record<string, string> };
  Checks: Array<{ Status: string }>;
}

/**
 * The two example services as separate processes on real PostgreSQL, Kafka and Consul: each owns
 * its database, they find each other in Consul, and a courseware is published through the saga.
 */
describe('courseware and codec on real servers', () => {
  const infra = herdInfraEnv();
  const run = randomUUID().slice(0, 8);
  const ids = { courseware: `courseware-e2e-${run}`, codec: `codec-e2e-${run}` };
  let courseware: ServiceProcess;
  let codec: ServiceProcess;
  let base: string;
  let codecBase: string;
  let workDir: string;

  const commonEnv = {
    HERD_POSTGRES_URL: infra.postgresUrl,
    HERD_KAFKA_BROKERS: infra.kafkaBrokers.join(','),
    HERD_CONSUL_URL: infra.consulUrl,
    HOST: '127.0.0.1',
  };

  beforeAll(async () => {
    // Fresh databases: the services create their role and database in development mode, and
    // migrations start from nothing, as on a new machine (on Herd's own cluster: on a server the
    // user gave Herd, their databases are left alone).
    const admin = new Client({ connectionString: infra.postgresUrl });
    await admin.connect();
    for (const database of ['courseware', 'codec']) await dropTestDatabase(admin, database);
    await admin.end();
    workDir = await mkdtemp(join(tmpdir(), 'herd-e2e-'));
    const [coursewarePort, codecPort] = [await freePort(), await freePort()];
    codec = ServiceProcess.start('codec', {
      ...commonEnv,
      PORT: String(codecPort),
      HERD_INSTANCE_ID: ids.codec,
      CODEC_MEDIA_DIR: join(workDir, 'media'),
    });
    courseware = ServiceProcess.start('courseware', {
      ...commonEnv,
      PORT: String(coursewarePort),
      HERD_INSTANCE_ID: ids.courseware,
    });
    await Promise.all([codec.ready(codecPort), courseware.ready(coursewarePort)]);
    base = `http://127.0.0.1:${coursewarePort}`;
    codecBase = `http://127.0.0.1:${codecPort}`;
  }, 180_000);

  afterAll(async () => {
    // Graceful, so their Kafka consumers leave the group instead of holding partitions until
    // their session times out.
    await Promise.all([courseware?.stop('SIGTERM'), codec?.stop('SIGTERM')]);
  });

  async function consulInstances(service: string): Promise<ConsulHealthEntry[]> {
    const response = await fetch(`${infra.consulUrl}/v1/health/service/${service}?passing=true`);
    return (await response.json()) as ConsulHealthEntry[];
  }

  const explain = () => `courseware:\n${courseware.tail()}\ncodec:\n${codec.tail()}`;

  async function publish(body: unknown): Promise<CoursewareBody> {
    const created = await fetch(`${base}/coursewares`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(created.status).toBe(202);
    const { id, status } = (await created.json()) as CoursewareBody;
    expect(status).toBe('PUBLISHING');
    return eventually(
      `courseware ${id} leaving PUBLISHING`,
      async () => {
        const current = (await (await fetch(`${base}/coursewares/${id}`)).json()) as CoursewareBody;
        return current.status === 'PUBLISHING' ? undefined : current;
      },
      { explain },
    );
  }

  it('registers both services in Consul with their version, passing their checks', async () => {
    for (const [service, id] of [
      ['courseware', ids.courseware],
      ['codec', ids.codec],
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

  it('publishes a courseware through the saga over Kafka: codec writes renditions, courseware publishes', async () => {
    const source = join(workDir, 'lecture.wav');
    await writeFile(source, Buffer.from(`RIFF-e2e-${run}`));
    const published = await publish({
      title: `e2e ${run}`,
      source: { uri: pathToFileURL(source).href, format: 'wav' },
      targets: ['mp3-128k', 'hls'],
    });
    expect(published.status).toBe('PUBLISHED');
    expect(published.renditions?.map((r) => r.target)).toEqual(['mp3-128k', 'hls']);
    for (const rendition of published.renditions ?? []) {
      expect(existsSync(fileURLToPath(rendition.uri))).toBe(true);
    }
    const job = (await (await fetch(`${codecBase}/jobs/by-courseware/${published.id}`)).json()) as {
      status: string;
    };
    expect(job.status).toBe('DONE');
  });

  it('rejects a courseware whose source is missing: the saga compensates', async () => {
    const rejected = await publish({
      title: `e2e missing ${run}`,
      source: { uri: pathToFileURL(join(workDir, 'nowhere.wav')).href, format: 'wav' },
      targets: ['mp3-128k'],
    });
    expect(rejected.status).toBe('REJECTED');
    expect(rejected.rejectionReason).toContain('cannot read source');
  });

  it('answers 400 naming each bad field, and starts no saga', async () => {
    const response = await fetch(`${base}/coursewares`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        title: 'x',
        source: { uri: 'file:///a', format: 'gif' },
        targets: ['8k'],
      }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { violations: Array<{ field: string }> };
    expect(body.violations.map((v) => v.field).sort()).toEqual(['source.format', 'targets']);
  });

  it('stops gracefully on SIGTERM and leaves Consul at once', async () => {
    expect(await courseware.stop('SIGTERM')).toEqual({ code: null, signal: 'SIGTERM' });
    expect(courseware.tail(200)).toContain('deregistered');
    const instances = await consulInstances('courseware');
    expect(instances.find((entry) => entry.Service.ID === ids.courseware)).toBeUndefined();
  });
});
