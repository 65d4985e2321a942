import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { Browser, chromium, Page } from 'playwright-core';
import { MarathonClient, buildAppDefinition } from '@herd/marathon';
import { makeSampleMedia } from '@herd/media';
import { eventually, freePort, herdInfraEnv } from '@herd/testing';
import { MarathonDouble } from '../../libs/marathon/test/marathon-double';
import { codecManifest } from '../../apps/codec/src/codec.manifest';
import { CoursewareApi } from '../courseware-api';
import { ServiceProcess, serversEnv, tails } from '../service-process';

/** Where the page's screenshot is left for a person to look at. */
const ARTIFACTS = resolve(__dirname, '..', '..', 'test-artifacts');

/**
 * The shepherd's page in Debian's Chromium (driven by playwright-core) on real Consul, Kafka and
 * PostgreSQL: two codec processes show up with their instances, a SIGKILLed one leaves the
 * serving list, a scaling decision the shepherd applied to the Marathon DOUBLE (not a
 * Marathon: @herd/marathon's test double) appears with its reason, and a courseware saga that
 * was compensated appears with why, read from courseware's own `GET /sagas`.
 */
describe('the shepherd page', () => {
  const infra = herdInfraEnv();
  const run = randomUUID().slice(0, 8);
  const ids = {
    a: `codec-page-a-${run}`,
    b: `codec-page-b-${run}`,
    shepherd: `shepherd-page-${run}`,
    courseware: `courseware-page-${run}`,
  };
  const double = new MarathonDouble({ taskStartMs: 200, healthyAfterMs: 200 });
  const processes: ServiceProcess[] = [];
  let marathon: MarathonClient;
  let browser: Browser;
  let page: Page;
  let shepherdUrl: string;
  let coursewareUrl: string;

  const common = serversEnv(infra);
  const explain = () => tails(processes);

  async function startCodec(id: string): Promise<ServiceProcess> {
    const port = await freePort();
    const codec = ServiceProcess.start('codec', {
      ...common,
      PORT: String(port),
      HERD_INSTANCE_ID: id,
      CODEC_MEDIA_DIR: join(ARTIFACTS, `media-${run}`),
    });
    processes.push(codec);
    await codec.ready(port);
    return codec;
  }

  beforeAll(async () => {
    // A fresh decisions database: every decision on the page is this run's.
    const admin = new Client({ connectionString: infra.postgresUrl });
    await admin.connect();
    await admin.query('DROP DATABASE IF EXISTS shepherd WITH (FORCE)');
    await admin.end();
    marathon = new MarathonClient({ url: await double.start() });
    // The double runs no container: it holds the count the shepherd scales, one below the minimum.
    await marathon.createApp({ ...buildAppDefinition(codecManifest), instances: 1 });
    await startCodec(ids.a);
    await startCodec(ids.b);
    const coursewarePort = await freePort();
    const courseware = ServiceProcess.start('courseware', {
      ...common,
      PORT: String(coursewarePort),
      HERD_INSTANCE_ID: ids.courseware,
    });
    processes.push(courseware);
    await courseware.ready(coursewarePort);
    coursewareUrl = `http://127.0.0.1:${coursewarePort}`;
    const port = await freePort();
    const shepherd = ServiceProcess.start('shepherd', {
      ...common,
      PORT: String(port),
      HERD_INSTANCE_ID: ids.shepherd,
      SHEPHERD_CYCLE_MS: '1000',
      SHEPHERD_TARGET: 'marathon',
      SHEPHERD_MARATHON_URL: double.url,
      SHEPHERD_POLICIES: JSON.stringify([
        {
          app: 'codec',
          minInstances: 2,
          maxInstances: 4,
          cooldownMs: 600_000,
          cpu: { scaleOutAbovePercent: 90, scaleInBelowPercent: 0.001 },
          lag: {
            group: 'codec',
            topics: ['codec.commands'],
            targetPerInstance: 1000,
            idleWindowMs: 600_000,
          },
        },
      ]),
    });
    processes.push(shepherd);
    await shepherd.ready(port);
    shepherdUrl = `http://127.0.0.1:${port}/`;
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(shepherdUrl);
  }, 300_000);

  afterAll(async () => {
    if (page) {
      await mkdir(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'shepherd-page.png'), fullPage: true });
    }
    await browser?.close();
    await Promise.all(processes.map((p) => p.stop('SIGTERM')));
    await double.stop();
  }, 60_000);

  const instanceRow = (id: string) =>
    page.locator(`[data-service="codec"] tr[data-instance="${id}"]`);

  it('shows the registered services and their instances, with health, address, CPU and memory', async () => {
    await instanceRow(ids.a).waitFor({ timeout: 30_000 });
    await instanceRow(ids.b).waitFor({ timeout: 30_000 });
    const row = await instanceRow(ids.a).innerText();
    expect(row).toMatch(/127\.0\.0\.1:\d+/);
    // CPU appears from the second scrape on; memory at once
    await eventually('codec CPU and memory on the page', async () => {
      const text = await instanceRow(ids.a).innerText();
      return /\d+\.\d%/.test(text) && /\d+ MB/.test(text) ? text : undefined;
    });
    expect(await instanceRow(ids.a).locator('.dot.passing').count()).toBe(1);
    const links = instanceRow(ids.a).locator('a');
    expect(
      await links.evaluateAll((as) =>
        as.map((a) => new URL(a.getAttribute('href') ?? '').pathname),
      ),
    ).toEqual(['/docs', '/metrics']);
    await page.locator(`[data-service="shepherd"] tr[data-instance="${ids.shepherd}"]`).waitFor();
  });

  it('shows the scaling decision it applied, with its reason', async () => {
    const decision = page.locator('#decision-table tr', { hasText: 'codec' }).first();
    await decision.waitFor({ timeout: 30_000 });
    const text = await decision.innerText();
    expect(text).toContain('scale-out 1→2');
    expect(text).toContain('1 is below the minimum');
    expect((await marathon.getApp('/herd/codec')).instances).toBe(2);
  });

  it('shows why a saga did not complete, read from the service’s GET /sagas', async () => {
    // A video whose header is fine and whose frames are noise: accepted, then refused by ffmpeg.
    const samples = join(ARTIFACTS, `samples-${run}`);
    await mkdir(samples, { recursive: true });
    const media = await makeSampleMedia(samples, {
      seconds: 1,
      width: 160,
      height: 120,
      tooLargeBytes: 1,
    });
    const api = new CoursewareApi(() => coursewareUrl, explain);
    const rejected = await api.settled(await api.publishFile(`page ${run}`, media.undecodable));
    expect(rejected.status).toBe('REJECTED');
    const reason = rejected.rejectionReason ?? '';
    expect(reason).toMatch(/^step "transcode" failed: ffmpeg could not decode the source: /);
    const row = page.locator('[data-service="courseware"] table.saga-failures tr', {
      hasText: reason,
    });
    await row.first().waitFor({ timeout: 30_000 });
    const text = await row.first().innerText();
    expect(text).toContain('COMPENSATED');
    expect(text).toContain('publish-courseware');
    expect(await page.locator('[data-service="courseware"] .saga-counts').innerText()).toMatch(
      /COMPENSATED [1-9]/,
    );
  }, 180_000);

  it('drops a killed instance from the serving list within seconds', async () => {
    const [, codecB] = processes;
    await codecB.stop('SIGKILL');
    // Consul's HTTP check runs every 10 s: the instance turns critical at its next run
    await instanceRow(ids.b).waitFor({ state: 'detached', timeout: 45_000 });
    await eventually(
      'the killed instance listed as not serving',
      async () =>
        (
          await page
            .locator('[data-service="codec"] .down')
            .innerText()
            .catch(() => '')
        ).includes(ids.b)
          ? true
          : undefined,
      { explain },
    );
    expect(await instanceRow(ids.a).count()).toBe(1);
  }, 60_000);
});
