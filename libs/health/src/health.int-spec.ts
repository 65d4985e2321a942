import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { herdInfraEnv, TcpProxy } from '@herd/testing';
import { spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { DemoController } from './fixtures/demo.controller';
import { HealthModule } from './index';

const CHECK_INTERVAL_MS = 1_000;
const CHECK_TIMEOUT_MS = 500;

function promtoolPath(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v promtool'], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

describe('HealthModule against real PostgreSQL (through a TCP proxy we can cut)', () => {
  let proxy: TcpProxy;
  let dataSource: DataSource;
  let app: INestApplication;

  beforeAll(async () => {
    const target = new URL(herdInfraEnv().postgresUrl);
    proxy = new TcpProxy(target.hostname, Number(target.port));
    const port = await proxy.start();
    const viaProxy = new URL(target.toString());
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(port);
    dataSource = new DataSource({
      type: 'postgres',
      url: viaProxy.toString(),
      connectTimeoutMS: CHECK_TIMEOUT_MS,
      extra: { max: 2 },
    });
    await dataSource.initialize();
    const moduleRef = await Test.createTestingModule({
      imports: [
        HealthModule.forRoot({
          service: 'courseware',
          dataSource,
          checkIntervalMs: CHECK_INTERVAL_MS,
          checkTimeoutMs: CHECK_TIMEOUT_MS,
          shutdown: { graceMs: 0 },
          logging: { level: 'silent' },
        }),
      ],
      controllers: [DemoController],
    }).compile();
    app = moduleRef.createNestApplication();
    await app.init();
  });

  afterAll(async () => {
    await app?.close();
    await dataSource?.destroy().catch(() => undefined);
    await proxy?.close();
  });

  /** Polls ready every 100 ms up to `deadlineMs`, asserting live stays 200 on every round. */
  async function readyUntil(status: number, deadlineMs: number): Promise<request.Response> {
    const server = app.getHttpServer();
    const until = Date.now() + deadlineMs;
    let last: request.Response;
    do {
      last = await request(server).get('/health/ready');
      const live = await request(server).get('/health/live');
      expect(live.status).toBe(200);
      if (last.status === status) return last;
      await sleep(100);
    } while (Date.now() < until);
    return last;
  }

  it('is ready with the database up', async () => {
    const ready = await readyUntil(200, 2 * CHECK_INTERVAL_MS);
    expect(ready.status).toBe(200);
    expect(ready.body.details.database).toEqual({ status: 'up', type: 'postgres' });
  });

  it('answers 503 naming the database within two check intervals of losing it, live stays 200, then recovers', async () => {
    await proxy.cut();
    const down = await readyUntil(503, 2 * CHECK_INTERVAL_MS + CHECK_TIMEOUT_MS);
    expect(down.status).toBe(503);
    expect(down.body.status).toBe('error');
    expect(down.body.error.database.status).toBe('down');
    expect(typeof down.body.error.database.message).toBe('string');
    expect(down.body.error.database.message).not.toContain(':herd@');
    const summary = await request(app.getHttpServer()).get('/health').expect(503);
    expect(summary.body.live.status).toBe('ok');

    await proxy.restore();
    const back = await readyUntil(200, 2 * CHECK_INTERVAL_MS + CHECK_TIMEOUT_MS + 5_000);
    expect(back.status).toBe(200);
    expect(back.body.details.database.status).toBe('up');
    const metrics = await request(app.getHttpServer()).get('/metrics').expect(200);
    expect(metrics.text).toMatch(
      /herd_health_indicator_up\{service="courseware",indicator="database"\} 1/,
    );
  });

  it('serves /metrics that Prometheus accepts (promtool check metrics)', async () => {
    const server = app.getHttpServer();
    await request(server).get('/items/7').expect(200);
    await request(server).get('/items/slow?ms=5').expect(200);
    await request(server).get('/missing').expect(404);
    const metrics = await request(server).get('/metrics').expect(200);
    expect(metrics.text).toContain('herd_http_request_duration_seconds_bucket{');
    const promtool = promtoolPath();
    if (!promtool) {
      throw new Error(
        'promtool is required: install Debian package "prometheus" (.ci/run installs it)',
      );
    }
    const checked = spawnSync(promtool, ['check', 'metrics'], {
      input: metrics.text,
      encoding: 'utf8',
    });
    expect(`${checked.stdout}${checked.stderr}`.trim()).toBe('');
    expect(checked.status).toBe(0);
    // promtool does judge: a gauge named *_total is refused, so an empty verdict means something.
    const refused = spawnSync(promtool, ['check', 'metrics'], {
      input: '# HELP herd_bad_total x\n# TYPE herd_bad_total gauge\nherd_bad_total 1\n',
      encoding: 'utf8',
    });
    expect(`${refused.stdout}${refused.stderr}`).toMatch(/herd_bad_total/);
  });
});
