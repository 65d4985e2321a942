import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import { MarathonClient, buildAppDefinition } from '@herd/marathon';
import { makeSampleMedia } from '@herd/media';
import { loadServiceConfig, startService } from '@herd/service';
import { dropTestDatabase, eventually, freePort, herdInfraEnv } from '@herd/testing';
import { MarathonDouble } from '../../libs/marathon/test/marathon-double';
import { CODEC_METRICS } from '../../apps/codec/src/codec.constants';
import { codecManifest } from '../../apps/codec/src/codec.manifest';
import { AutoscalerService } from '../../apps/shepherd/src/autoscaler/autoscaler.service';
import { MarathonScalingTarget } from '../../apps/shepherd/src/autoscaler/targets/marathon-scaling-target';
import { loadShepherdConfig } from '../../apps/shepherd/src/config/shepherd-config';
import { SHEPHERD_SERVICE } from '../../apps/shepherd/src/shepherd.constants';
import { ShepherdModule } from '../../apps/shepherd/src/shepherd.module';
import { CoursewareApi } from '../courseware-api';
import { ServiceProcess, serversEnv, tails } from '../service-process';

const BURST = 8;

/**
 * The backlog rule on real work: courseware and one codec as separate processes on real
 * PostgreSQL, Kafka, Consul and ffmpeg; a burst of publishes piles transcode jobs up in codec's
 * table (codec answers each command at once, so its Kafka lag stays near 0); the shepherd finds
 * codec through Consul, scrapes its real `herd_codec_transcode_jobs` gauge and scales it out;
 * once the jobs are done and the idle window has passed it scales back in. The scale is applied
 * to @herd/marathon's Marathon DOUBLE (it holds the count and runs nothing, so one real codec does
 * all the work): scaling a real Swarm service is proved by lag-autoscaling.int-spec.ts.
 */
describe('scaling codec on its jobs backlog', () => {
  const infra = herdInfraEnv();
  const run = randomUUID().slice(0, 8);
  const double = new MarathonDouble({ taskStartMs: 200, healthyAfterMs: 200 });
  const processes: ServiceProcess[] = [];
  let marathon: MarathonClient;
  let shepherd: INestApplication;
  let coursewareUrl: string;
  let codecUrl: string;
  let tone: string;
  const started = Date.now();

  const common = serversEnv(infra);
  const explain = () => tails(processes);

  beforeAll(async () => {
    // Fresh service databases: no job of an earlier run is counted in the backlog.
    const admin = new Client({ connectionString: infra.postgresUrl });
    await admin.connect();
    for (const database of ['courseware', 'codec']) await dropTestDatabase(admin, database);
    await admin.end();
    const work = await mkdtemp(join(tmpdir(), 'herd-backlog-'));
    await mkdir(join(work, 'samples'));
    // Small media: a 2-core machine transcodes each in a second or two.
    tone = (
      await makeSampleMedia(join(work, 'samples'), {
        seconds: 1,
        width: 160,
        height: 120,
        tooLargeBytes: 1024,
      })
    ).tone;
    marathon = new MarathonClient({ url: await double.start() });
    await marathon.createApp({ ...buildAppDefinition(codecManifest), instances: 1 });
    const codecPort = await freePort();
    const codec = ServiceProcess.start('codec', {
      ...common,
      PORT: String(codecPort),
      HERD_INSTANCE_ID: `codec-backlog-${run}`,
      CODEC_MEDIA_DIR: join(work, 'codec'),
      CODEC_JOB_POLL_MS: '200',
    });
    const coursewarePort = await freePort();
    const courseware = ServiceProcess.start('courseware', {
      ...common,
      PORT: String(coursewarePort),
      HERD_INSTANCE_ID: `courseware-backlog-${run}`,
      COURSEWARE_STORAGE_DIR: join(work, 'courseware'),
    });
    processes.push(codec, courseware);
    await Promise.all([codec.ready(codecPort, 180_000), courseware.ready(coursewarePort, 180_000)]);
    codecUrl = `http://127.0.0.1:${codecPort}`;
    coursewareUrl = `http://127.0.0.1:${coursewarePort}`;

    // The shepherd in this process (its decisions in its embedded database), the herd from Consul,
    // codec's gauge scraped from its /metrics (no Prometheus configured).
    const config = loadServiceConfig(
      { name: SHEPHERD_SERVICE, version: '0.0.0', port: 0 },
      {
        HERD_CONSUL_URL: infra.consulUrl,
        HOST: '127.0.0.1',
        HERD_INSTANCE_ID: `shepherd-backlog-${run}`,
      },
    );
    const policies = loadShepherdConfig({
      SHEPHERD_CYCLE_MS: '1000',
      SHEPHERD_POLICIES: JSON.stringify([
        {
          app: 'codec',
          minInstances: 1,
          maxInstances: 3,
          scaleOutCycles: 2,
          scaleInCycles: 1,
          cooldownMs: 2_000,
          backlog: {
            metric: CODEC_METRICS.transcodeJobs,
            aggregate: 'max',
            targetPerInstance: 2,
            idleWindowMs: 3_000,
          },
        },
      ]),
    });
    shepherd = await startService(
      ShepherdModule.forRoot(config, policies, {
        logging: { level: 'silent' },
        target: new MarathonScalingTarget(marathon),
      }),
      config,
    );
  }, 300_000);

  afterAll(async () => {
    await shepherd?.close();
    await Promise.all(processes.map((p) => p.stop('SIGTERM')));
    await double.stop();
  }, 60_000);

  const acted = async () =>
    (await shepherd.get(AutoscalerService).decisions({ app: 'codec', acted: true, limit: 20 }))
      .filter((d) => d.decidedAt.getTime() >= started)
      .reverse();
  const backlogServed = async () => {
    const text = await (await fetch(`${codecUrl}/metrics`)).text();
    return [...text.matchAll(/^herd_codec_transcode_jobs\{state="(\w+)"\} (\d+)$/gm)].reduce(
      (sum, m) => sum + Number(m[2]),
      0,
    );
  };

  /** What the shepherd decided last, acted on or not, with the services' last lines. */
  const decisionsAndTails = async () =>
    (await shepherd.get(AutoscalerService).decisions({ app: 'codec', limit: 5 }))
      .map((d) => `${d.action} (${d.cause}): ${d.reason}`)
      .join('\n') + `\n${explain()}`;

  it('scales out while the jobs pile up, and back in once they are done and the window has passed', async () => {
    const api = new CoursewareApi(() => coursewareUrl, explain);
    // Idle codec: nothing to do, no scale (it is at its minimum already).
    expect(await backlogServed()).toBe(0);
    // All at once: the one worker takes a job at a time, so the backlog is the burst whatever the
    // machine's speed (one by one, it depended on publishing outpacing the worker).
    const ids = await Promise.all(
      Array.from({ length: BURST }, (_, i) => api.publishFile(`burst ${i} ${run}`, tone)),
    );

    const out = await eventually(
      'a scale-out on the backlog',
      async () => (await acted()).find((d) => d.action === 'scale-out'),
      { timeoutMs: 90_000, explain: decisionsAndTails },
    );
    expect(out).toMatchObject({
      cause: 'backlog',
      outcome: 'applied',
      fromInstances: 1,
      toInstances: 2,
    });
    expect(out.reason).toMatch(/^backlog \d+ \(\d+(\.\d)? per instance\) > 2 for 2 cycles$/);
    expect((await marathon.getApp('/herd/codec')).instances).toBeGreaterThanOrEqual(2);

    // The one real codec works the queue off; every courseware is published.
    for (const id of ids) expect((await api.settled(id, 180_000)).status).toBe('PUBLISHED');
    expect(await backlogServed()).toBe(0);
    const back = await eventually(
      'a scale-in after the idle window',
      async () => (await acted()).find((d) => d.action === 'scale-in'),
      { timeoutMs: 90_000, explain },
    );
    expect(back).toMatchObject({ cause: 'backlog', outcome: 'applied' });
    expect(back.reason).toMatch(/^backlog 0 for \d+ s \(idle window 3 s\) for 1 cycles$/);
    await eventually(
      'codec back at its minimum',
      async () => ((await marathon.getApp('/herd/codec')).instances === 1 ? true : undefined),
      { timeoutMs: 60_000 },
    );
    // Every action of the run was the backlog rule's, each applied.
    expect((await acted()).every((d) => d.cause === 'backlog' && d.outcome === 'applied')).toBe(
      true,
    );
  }, 420_000);
});
