import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { getServiceDataSourceToken } from '@herd/database';
import { InMemoryRegistryStore } from '@herd/registry';
import { OutboxDeadLetterEntity, SagaInstanceEntity } from '@herd/saga';
import { eventually } from '@herd/testing';
import { createValidationPipe, loadServiceConfig, ServiceConfigError } from '@herd/service';
import { CODEC_METRICS } from '../../codec/src/codec.constants';
import { InMemoryScalingTarget } from './autoscaler/targets/in-memory-scaling-target';
import { loadShepherdConfig } from './config/shepherd-config';
import { HerdSnapshot } from './herd/herd-snapshot';
import { HerdWatchService } from './herd/herd-watch.service';
import { SHEPHERD_SERVICE } from './shepherd.constants';
import { ShepherdModule } from './shepherd.module';

const policies = JSON.stringify([
  {
    app: 'codec',
    minInstances: 2,
    maxInstances: 4,
    cooldownMs: 0,
    scaleOutCycles: 1,
    cpu: { scaleOutAbovePercent: 80, scaleInBelowPercent: 10 },
  },
]);

describe('shepherd on embedded defaults', () => {
  let app: INestApplication;
  let target: InMemoryScalingTarget;

  beforeAll(async () => {
    // Registered at the address it listens on, where the shepherd reads its own GET /sagas.
    const config = loadServiceConfig(
      { name: SHEPHERD_SERVICE, version: '0.0.0', port: 0 },
      { HOST: '127.0.0.1' },
    );
    target = new InMemoryScalingTarget({ codec: 1 });
    const moduleRef = await Test.createTestingModule({
      imports: [
        ShepherdModule.forRoot(
          config,
          loadShepherdConfig({ SHEPHERD_POLICIES: policies, SHEPHERD_CYCLE_MS: '3600000' }),
          {
            logging: { level: 'silent' },
            target,
            embedded: { registryStore: new InMemoryRegistryStore() },
          },
        ),
      ],
    }).compile();
    app = moduleRef.createNestApplication();
    app.useGlobalPipes(createValidationPipe());
    await app.listen(0, '127.0.0.1');
  });

  afterAll(async () => {
    await app.close();
  });

  it('is a healthy herd member', async () => {
    await request(app.getHttpServer()).get('/health/live').expect(200);
    // readiness is a background check: its first result comes shortly after boot
    await eventually('shepherd ready', async () =>
      (await request(app.getHttpServer()).get('/health/ready')).status === 200 ? true : undefined,
    );
  }, 30_000);

  it('scales an app below its minimum and stores the decision with its reason', async () => {
    await app.get(HerdWatchService).cycle();
    expect(target.scaled).toEqual([{ app: 'codec', instances: 2 }]);
    const { body } = await request(app.getHttpServer())
      .get('/autoscaler/decisions?app=codec&acted=true')
      .expect(200);
    expect(body[0]).toMatchObject({
      app: 'codec',
      action: 'scale-out',
      cause: 'min-instances',
      outcome: 'applied',
      fromInstances: 1,
      toInstances: 2,
      reason: '1 is below the minimum',
    });
  });

  it('stores the decisions not to act too, with why', async () => {
    // the scale is still rolling out at the target: the in-flight guard holds the next cycle
    await app.get(HerdWatchService).cycle();
    const { body } = await request(app.getHttpServer())
      .get('/autoscaler/decisions?app=codec&limit=1')
      .expect(200);
    expect(body).toEqual([
      expect.objectContaining({
        action: 'none',
        cause: 'in-flight',
        outcome: 'held',
        toInstances: 2,
      }),
    ]);
    expect(target.scaled).toHaveLength(1);
  });

  it('answers 400 naming the bad query field', async () => {
    const { body } = await request(app.getHttpServer())
      .get('/autoscaler/decisions?limit=0&acted=maybe')
      .expect(400);
    expect(body.violations.map((v: { field: string }) => v.field).sort()).toEqual([
      'acted',
      'limit',
    ]);
  });

  it('shows itself and the scaled app in the herd snapshot', async () => {
    const { body } = (await request(app.getHttpServer()).get('/herd').expect(200)) as {
      body: HerdSnapshot;
    };
    const shepherd = body.services.find((s) => s.name === SHEPHERD_SERVICE);
    expect(shepherd?.versions[0].instances[0]).toMatchObject({
      health: 'passing',
      version: '0.0.0',
    });
    expect(body.services.find((s) => s.name === 'codec')?.scaling).toMatchObject({
      minInstances: 2,
      maxInstances: 4,
    });
    expect(body.decisions[0]).toMatchObject({ app: 'codec', action: 'scale-out' });
    expect(body.sources.target).toBe('in-memory (nothing is really scaled)');
  });

  it('reads each member’s FAILED sagas and parked outbox rows, with their reasons, from its GET /sagas', async () => {
    // The shepherd is a member too: what a parked saga and a refused row leave in its database.
    const { manager } = app.get<DataSource>(getServiceDataSourceToken(SHEPHERD_SERVICE));
    await manager.insert(SagaInstanceEntity, {
      id: 'saga-1',
      sagaType: 'refund',
      definitionVersion: 1,
      state: 'FAILED',
      stepIndex: 0,
      attempt: 5,
      data: {},
      awaitingMessageId: null,
      deadlineAt: null,
      stepStartedAt: 1_000,
      failureReason: 'compensation of step "debit" failed: ledger closed',
      correlationId: 'saga-1',
      traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`,
      createdAt: 1_000,
      updatedAt: 2_000,
      history: [],
    });
    await manager.insert(OutboxDeadLetterEntity, {
      id: '1',
      topic: 'refunds.commands',
      key: 'saga-1',
      messageId: 'm-1',
      headers: {},
      value: '{}',
      createdAt: 1_000,
      reason: 'UNKNOWN_TOPIC_OR_PARTITION: no such topic',
      attempts: 5,
      parkedAt: 2_000,
    });
    const snapshot = await app.get(HerdWatchService).cycle();
    const states = snapshot.services.find((s) => s.name === SHEPHERD_SERVICE)?.sagaStates;
    expect(states).toMatchObject({
      counts: { FAILED: 1, RUNNING: 0 },
      failed: [
        {
          id: 'saga-1',
          state: 'FAILED',
          currentStep: null,
          failureReason: 'compensation of step "debit" failed: ledger closed',
        },
      ],
      compensated: [],
      parked: [
        {
          topic: 'refunds.commands',
          reason: 'UNKNOWN_TOPIC_OR_PARTITION: no such topic',
          attempts: 5,
        },
      ],
    });
  });

  it('serves the page', async () => {
    const page = await request(app.getHttpServer()).get('/').expect(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.text).toContain('<title>Herd — shepherd</title>');
    expect(page.text).toContain("new EventSource('herd/events')");
  });

  it('streams snapshots as server-sent events', async () => {
    const address = app.getHttpServer().address() as { port: number };
    const controller = new AbortController();
    const response = await fetch(`http://127.0.0.1:${address.port}/herd/events`, {
      signal: controller.signal,
    });
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = response.body!.getReader();
    let text = '';
    while (!text.includes('\n\n')) text += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    expect(text).toMatch(/(^|\n)event: herd\n/);
    expect(JSON.parse(/data: (.*)\n/.exec(text)![1])).toHaveProperty('services');
  });
});

describe('shepherd configuration', () => {
  it.each([
    [
      'SHEPHERD_POLICIES',
      '[{"app":"codec","minInstances":3,"maxInstances":2,"cpu":{"scaleOutAbovePercent":80,"scaleInBelowPercent":10}}]',
      'scaling policy [0].maxInstances must be at least minInstances (3)',
    ],
    ['SHEPHERD_POLICIES', '{"app":"codec"}', 'scaling policy must be a JSON array of policies'],
    [
      'SHEPHERD_POLICIES',
      '[{"app":"codec","minInstances":1,"maxInstances":2}]',
      'scaling policy [0] needs at least one rule: cpu, memory, lag or backlog',
    ],
    [
      'SHEPHERD_POLICIES',
      '[{"app":"codec","minInstances":1,"maxInstances":2,"backlog":{"metric":"jobs waiting","targetPerInstance":2,"idleWindowMs":0}}]',
      'scaling policy [0].backlog.metric must be a Prometheus metric name',
    ],
    [
      'SHEPHERD_POLICIES',
      '[{"app":"codec","minInstances":1,"maxInstances":2,"backlog":{"metric":"herd_jobs","aggregate":"mean","targetPerInstance":2,"idleWindowMs":0}}]',
      'scaling policy [0].backlog.aggregate must be "sum" or "max"',
    ],
    [
      'SHEPHERD_POLICIES',
      '[{"app":"codec","minInstances":1,"maxInstances":2,"backlog":{"metric":"herd_jobs","targetPerInstance":0,"idleWindowMs":0}}]',
      'scaling policy [0].backlog.targetPerInstance must be greater than 0',
    ],
    [
      'SHEPHERD_POLICIES',
      '[{"app":"codec","minInstances":1,"maxInstances":2,"backlog":{"metric":"herd_jobs","targetPerInstance":2}}]',
      'scaling policy [0].backlog.idleWindowMs is required',
    ],
    [
      'SHEPHERD_POLICIES',
      '[{"app":"codec","minInstances":1,"maxInstances":2,"lag":{"group":"codec","topics":[],"targetPerInstance":5,"idleWindowMs":0}}]',
      'scaling policy [0].lag.topics must be a non-empty array of topic names',
    ],
    ['SHEPHERD_TARGET', 'nomad', '"nomad" is not a scaling target (marathon, swarm)'],
    ['SHEPHERD_CYCLE_MS', 'soon', '"soon" is not an integer ≥ 100'],
    ['SHEPHERD_PROMETHEUS_URL', 'ftp://prometheus', 'must start with http: or https:'],
  ])('%s=%s fails at boot naming the key', (key, value, reason) => {
    expect(() => loadShepherdConfig({ [key]: value })).toThrow(ServiceConfigError);
    expect(() => loadShepherdConfig({ [key]: value })).toThrow(
      `invalid configuration ${key}: ${reason}`,
    );
  });

  it('SHEPHERD_TARGET=marathon needs SHEPHERD_MARATHON_URL', () => {
    expect(() => loadShepherdConfig({ SHEPHERD_TARGET: 'marathon' })).toThrow(
      'invalid configuration SHEPHERD_MARATHON_URL: is required when SHEPHERD_TARGET=marathon',
    );
    expect(
      loadShepherdConfig({
        SHEPHERD_TARGET: 'marathon',
        SHEPHERD_MARATHON_URL: 'http://127.0.0.1:8080',
      }).target,
    ).toEqual({ kind: 'marathon', url: 'http://127.0.0.1:8080', token: undefined });
  });

  it('SHEPHERD_TARGET=swarm takes an optional stack', () => {
    expect(
      loadShepherdConfig({ SHEPHERD_TARGET: 'swarm', SHEPHERD_SWARM_STACK: 'herd' }).target,
    ).toEqual({
      kind: 'swarm',
      stack: 'herd',
    });
  });

  it('defaults to the example services’ policies, from their manifests', () => {
    const config = loadShepherdConfig({});
    expect(config.policies.map((p) => p.app)).toEqual(['codec', 'courseware']);
    expect(config.policies[0]).toMatchObject({
      minInstances: 2,
      allocation: { cpus: 1, memMb: 512 },
    });
    // codec takes a command at once and queues the job: its own gauge, not its group's lag
    expect(config.policies[0].backlog).toMatchObject({
      metric: CODEC_METRICS.transcodeJobs,
      aggregate: 'max',
    });
  });
});
