import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { HealthIndicatorService } from '@nestjs/terminus';
import { eventually } from '@herd/testing';
import { DemoController } from './fixtures/demo.controller';
import { InFlightTracker } from './shutdown/in-flight-tracker';
import {
  HealthModule,
  HealthModuleOptions,
  HealthOptionsError,
  KafkaConsumerHealthIndicator,
  ShutdownState,
  useHerdLogger,
} from './index';

const indicators = new HealthIndicatorService();

async function boot(options: HealthModuleOptions): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [HealthModule.forRoot(options)],
    controllers: [DemoController],
  }).compile();
  const app = moduleRef.createNestApplication({ bufferLogs: true });
  useHerdLogger(app);
  await app.init();
  return app;
}

const quiet = { level: 'silent' as const };

/** Waits until the app counts one request in flight: the server really holds it now. */
async function inFlightNow(app: INestApplication): Promise<void> {
  const tracker = app.get(InFlightTracker);
  await eventually('a request in flight', async () => (tracker.inFlight === 1 ? true : undefined), {
    intervalMs: 5,
  });
}

describe('HealthModule (in process, no servers)', () => {
  const apps: INestApplication[] = [];
  const start = async (options: HealthModuleOptions): Promise<INestApplication> => {
    const app = await boot({ shutdown: { graceMs: 0 }, logging: quiet, ...options });
    apps.push(app);
    return app;
  };
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  it('answers live, ready and the summary with 200 when every part is up', async () => {
    const app = await start({
      service: 'sheep',
      version: '1.2.3',
      instanceId: 'sheep-1',
      readiness: [() => indicators.check('pasture').up({ grass: 'green' })],
    });
    const server = app.getHttpServer();
    const live = await request(server).get('/health/live').expect(200);
    expect(live.body.status).toBe('ok');
    expect(live.body.details.event_loop).toMatchObject({ status: 'up', maxLagMs: 1000 });
    const ready = await request(server).get('/health/ready').expect(200);
    expect(ready.body.details.pasture).toEqual({ status: 'up', grass: 'green' });
    const summary = await request(server).get('/health').expect(200);
    expect(summary.body).toMatchObject({
      status: 'ok',
      service: 'sheep',
      version: '1.2.3',
      instance: 'sheep-1',
    });
  });

  it('answers 503 naming the failing, throwing and hanging indicators', async () => {
    const app = await start({
      service: 'sheep',
      checkTimeoutMs: 200,
      readiness: [
        () => indicators.check('fence').down({ message: 'broken' }),
        {
          name: 'water',
          check: () => Promise.reject(new Error('pump at postgres://u:hunter2@db failed')),
        },
        { name: 'shepherd', check: () => new Promise(() => undefined) },
        () => indicators.check('pasture').up(),
      ],
    });
    const ready = await request(app.getHttpServer()).get('/health/ready').expect(503);
    expect(ready.body.status).toBe('error');
    expect(ready.body.error.fence).toEqual({ status: 'down', message: 'broken' });
    expect(ready.body.error.water.message).toBe('pump at postgres://u:[REDACTED]@db failed');
    expect(ready.body.error.shepherd.message).toMatch(/did not answer within 200ms/);
    expect(ready.body.info.pasture.status).toBe('up');
    await request(app.getHttpServer()).get('/health/live').expect(200);
    await request(app.getHttpServer()).get('/health').expect(503);
  });

  it('reports a down dependency on /health and in metrics while readiness stays 200', async () => {
    const app = await start({
      service: 'sheep',
      readiness: [() => indicators.check('pasture').up()],
      dependencies: [
        { name: 'consul', check: () => Promise.reject(new Error('agent unreachable')) },
      ],
    });
    const server = app.getHttpServer();
    const ready = await request(server).get('/health/ready').expect(200);
    expect(Object.keys(ready.body.details)).toEqual(['pasture']);
    const summary = await request(server).get('/health').expect(200);
    expect(summary.body.status).toBe('degraded');
    expect(summary.body.dependencies.error.consul).toEqual({
      status: 'down',
      message: 'agent unreachable',
    });
    const metrics = await request(server).get('/metrics').expect(200);
    expect(metrics.text).toMatch(
      /herd_health_indicator_up\{service="sheep",indicator="consul"\} 0/,
    );
  });

  it('checks disk space of media folders', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'herd-media-'));
    try {
      const roomy = await start({ service: 'codec', mediaFolders: [folder] });
      const ok = await request(roomy.getHttpServer()).get('/health/ready').expect(200);
      expect(ok.body.details[`disk:${folder}`].status).toBe('up');
      const full = await start({
        service: 'codec',
        mediaFolders: [{ path: folder, maxUsedRatio: 0.000001 }],
      });
      const down = await request(full.getHttpServer()).get('/health/ready').expect(503);
      expect(down.body.error[`disk:${folder}`].status).toBe('down');
      const missing = await start({ service: 'codec', mediaFolders: [join(folder, 'nope')] });
      const gone = await request(missing.getHttpServer()).get('/health/ready').expect(503);
      expect(gone.body.error[`disk:${join(folder, 'nope')}`].status).toBe('down');
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('turns readiness 503 as soon as shutdown begins, while live stays 200', async () => {
    const app = await start({ service: 'sheep' });
    const server = app.getHttpServer();
    await request(server).get('/health/ready').expect(200);
    app.get(ShutdownState).begin('test');
    const ready = await request(server).get('/health/ready').expect(503);
    expect(ready.body).toMatchObject({
      status: 'shutting_down',
      error: { shutdown: { status: 'down', message: 'instance is shutting down (test)' } },
    });
    await request(server).get('/health/live').expect(200);
  });

  it('flips readiness in onModuleDestroy and keeps serving for the grace period', async () => {
    const app = await boot({ service: 'sheep', logging: quiet, shutdown: { graceMs: 600 } });
    await app.listen(0, '127.0.0.1');
    const url = await app.getUrl();
    await request(url).get('/health/ready').expect(200);
    const closing = app.close();
    const during = await request(url).get('/health/ready');
    const work = await request(url).get('/items/slow?ms=50');
    await closing;
    expect(during.status).toBe(503);
    expect(during.body.error.shutdown.status).toBe('down');
    expect(work.status).toBe(200);
    expect(work.headers.connection).toBe('close');
  });

  it('lets a request in flight at close finish, and cuts one still running at the drain deadline', async () => {
    const patient = await boot({
      service: 'sheep',
      shutdown: { graceMs: 0, drainTimeoutMs: 5_000 },
      logging: { level: 'silent' },
    });
    await patient.listen(0, '127.0.0.1');
    const inFlight = request(await patient.getUrl()).get('/items/slow?ms=300');
    const finished = inFlight.then((res) => res.status);
    await inFlightNow(patient);
    await patient.close();
    expect(await finished).toBe(200);

    const hurried = await boot({
      service: 'sheep',
      shutdown: { graceMs: 0, drainTimeoutMs: 100 },
      logging: { level: 'silent' },
    });
    await hurried.listen(0, '127.0.0.1');
    const cut = request(await hurried.getUrl())
      .get('/items/slow?ms=800')
      .then(
        (res) => `status ${res.status}`,
        (error: NodeJS.ErrnoException) => error.code ?? error.message,
      );
    await inFlightNow(hurried);
    await hurried.close();
    expect(await cut).toMatch(/ECONNRESET|socket hang up/);
    // The cut connection does not stop the handler: let it end before the suite does.
    await new Promise((resolve) => setTimeout(resolve, 800));
  });

  it('reports watched Kafka consumers under kafka:<name> (none watched: absent)', async () => {
    const app = await start({ service: 'sheep' });
    const ready = await request(app.getHttpServer()).get('/health/ready').expect(200);
    expect(Object.keys(ready.body.details)).toEqual([]);
    expect(await app.get(KafkaConsumerHealthIndicator).isHealthy()).toEqual({});
  });

  it('serves prometheus metrics with the route pattern, method and status', async () => {
    const app = await start({ service: 'metrics-sheep', version: '9.9.9', instanceId: 'm-1' });
    const server = app.getHttpServer();
    await request(server).get('/items/42').expect(200);
    await request(server).get('/items/43').expect(200);
    await request(server).get('/nowhere').expect(404);
    const metrics = await request(server).get('/metrics').expect(200);
    expect(metrics.headers['content-type']).toMatch(/^text\/plain;.*version=0\.0\.4/);
    expect(metrics.text).toMatch(
      /herd_http_request_duration_seconds_count\{service="metrics-sheep",method="GET",route="\/items\/:id",status_code="200"\} [2-9]/,
    );
    expect(metrics.text).toMatch(/route="unmatched",status_code="404"/);
    expect(metrics.text).not.toMatch(/route="\/items\/42"/);
    expect(metrics.text).toMatch(
      /herd_build_info\{service="metrics-sheep",version="9\.9\.9",instance_id="m-1"\} 1/,
    );
    expect(metrics.text).toMatch(/^process_cpu_user_seconds_total /m);
    expect(metrics.text).toMatch(/^nodejs_eventloop_lag_seconds /m);
  });

  it('boots with forRootAsync and fails at boot naming a bad option key', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        HealthModule.forRootAsync({
          useFactory: async () => ({
            service: 'async-sheep',
            logging: quiet,
            shutdown: { graceMs: 0 },
          }),
        }),
      ],
    }).compile();
    const app = moduleRef.createNestApplication();
    apps.push(app);
    await app.init();
    const summary = await request(app.getHttpServer()).get('/health').expect(200);
    expect(summary.body.service).toBe('async-sheep');

    const bad = Test.createTestingModule({
      imports: [HealthModule.forRoot({ service: 'x', checkIntervalMs: -1 })],
    }).compile();
    await expect(bad).rejects.toThrow(HealthOptionsError);
    await expect(
      Test.createTestingModule({
        imports: [HealthModule.forRoot({ service: 'x', checkIntervalMs: -1 })],
      }).compile(),
    ).rejects.toThrow('HealthModule option "checkIntervalMs" must be a positive number');
  });
});
