import { performance } from 'node:perf_hooks';
import { INestApplication } from '@nestjs/common';
import { chromium } from 'playwright-core';
import { loadServiceConfig, startService } from '@herd/service';
import { BenchScenario, benchMetric, percentile } from '@herd/testing';
import { loadShepherdConfig } from '../apps/shepherd/src/config/shepherd-config';
import { HerdDirectory, HerdInstance } from '../apps/shepherd/src/herd/herd-instance';
import { ShepherdModule } from '../apps/shepherd/src/shepherd.module';

/**
 * How fast the shepherd's page shows the herd in Debian's Chromium: from navigation to the
 * first snapshot rendered (`data-updated` set on <body>), LOADS times with a fresh page each.
 * Baseline: the same navigation to the shepherd's `/health/live` (a tiny JSON answer), so the
 * ratio is what the page itself costs. The herd is SYNTHETIC: 4 services × 10 instances in a
 * fixed directory, no instance answers /metrics (so CPU and memory show "—").
 */
const LOADS = 15;

const syntheticHerd: HerdDirectory = {
  description: 'a synthetic herd of 40 instances (benchmark)',
  instances: async () =>
    ['courseware', 'codec', 'billing', 'search'].flatMap((service, s) =>
      Array.from({ length: 10 }, (_, i): HerdInstance => ({
        id: `${service}-bench-${i}`,
        service,
        version: i % 3 === 0 ? '1.1.0' : '1.0.0',
        address: '127.0.0.1',
        port: 1 + s * 10 + i,
        health: i === 9 ? 'critical' : 'passing',
        tags: [],
      })),
    ),
};

const scenario: BenchScenario = async (progress) => {
  const config = loadServiceConfig(
    { name: 'shepherd', version: '0.0.0', port: 0 },
    { HOST: '127.0.0.1' },
  );
  const shepherd = loadShepherdConfig({ SHEPHERD_CYCLE_MS: '1000' });
  let app: INestApplication | undefined;
  const browser = await chromium.launch({
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
  try {
    app = await startService(
      ShepherdModule.forRoot(config, shepherd, {
        logging: { level: 'silent' },
        directory: syntheticHerd,
        metrics: { description: 'none (benchmark)', read: async () => new Map() },
      }),
      config,
    );
    const { port } = app.getHttpServer().address() as { port: number };
    const base = `http://127.0.0.1:${port}`;
    const page: number[] = [];
    const live: number[] = [];
    for (let i = 0; i < LOADS; i += 1) {
      const tab = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      let started = performance.now();
      await tab.goto(`${base}/health/live`);
      live.push(performance.now() - started);
      started = performance.now();
      await tab.goto(`${base}/`);
      await tab.waitForSelector('body[data-updated]');
      page.push(performance.now() - started);
      await tab.close();
      progress(
        `load ${i + 1}/${LOADS}: page ${page[i].toFixed(0)} ms, /health/live ${live[i].toFixed(0)} ms`,
      );
    }
    page.sort((a, b) => a - b);
    live.sort((a, b) => a - b);
    return [
      benchMetric(
        'page shows the herd, p50',
        percentile(page, 50),
        'ms',
        percentile(live, 50),
        'p50 <= 1000 ms',
      ),
      benchMetric(
        'page shows the herd, p95',
        percentile(page, 95),
        'ms',
        percentile(live, 95),
        'p95 <= 1000 ms',
      ),
    ];
  } finally {
    await browser.close();
    await app?.close();
  }
};

export default scenario;
