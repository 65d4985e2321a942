import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { getServiceDataSourceToken } from '@herd/database';
import { InMemoryRegistryStore } from '@herd/registry';
import {
  MemoryBroker,
  OutboxDeadLetterEntity,
  SagaCommandRejectedError,
  SagaOrchestrator,
  defineSaga,
} from '@herd/saga';
import { eventually } from '@herd/testing';
import { loadServiceConfig } from '../../config/service-config';
import { HerdServiceModule } from '../../herd-service.module';

interface Refund {
  readonly orderId: string;
}

/** Two local steps: the second refuses for order "refused", the first's undo then fails. */
const refund = defineSaga<Refund>('refund', 1)
  .local('debit', {
    run: () => undefined,
    compensate: () => {
      throw new Error('ledger closed');
    },
    compensationRetry: { maxAttempts: 1 },
  })
  .local('notify', {
    run: (d) => {
      if (d.orderId === 'refused') throw new SagaCommandRejectedError('no address');
    },
  })
  .build();

/** Every herd member serves its sagas over HTTP: the shepherd's page reads FAILED ones and why. */
describe('GET /sagas on a herd member (embedded defaults)', () => {
  let app: INestApplication;
  let failedId: string;
  let completedId: string;

  beforeAll(async () => {
    const config = loadServiceConfig({ name: 'shop', version: '1.0.0', port: 0 }, {});
    const moduleRef = await Test.createTestingModule({
      imports: [
        HerdServiceModule.forService(config, {
          entities: [],
          sagas: [refund],
          logging: { level: 'silent' },
          embedded: { broker: new MemoryBroker(), registryStore: new InMemoryRegistryStore() },
        }),
      ],
    }).compile();
    // No global pipe: the controller validates its own parameters wherever it is mounted.
    app = moduleRef.createNestApplication();
    await app.listen(0, '127.0.0.1');
    const orchestrator = app.get(SagaOrchestrator);
    failedId = await orchestrator.start('refund', { orderId: 'refused' });
    completedId = await orchestrator.start('refund', { orderId: 'ok' });
    await eventually('both sagas to end', async () => {
      const states = [
        (await orchestrator.findById(failedId)).state,
        (await orchestrator.findById(completedId)).state,
      ];
      return states.join() === 'FAILED,COMPLETED' ? true : undefined;
    });
  }, 30_000);

  afterAll(async () => {
    await app?.close();
  });

  it('lists sagas by state with counts, FAILED ones with their reason', async () => {
    const { body } = await request(app.getHttpServer()).get('/sagas?state=FAILED').expect(200);
    expect(body.counts).toEqual({
      RUNNING: 0,
      COMPENSATING: 0,
      COMPLETED: 1,
      COMPENSATED: 0,
      FAILED: 1,
    });
    expect(body.sagas).toEqual([
      expect.objectContaining({
        id: failedId,
        sagaType: 'refund',
        state: 'FAILED',
        currentStep: 'debit',
        failureReason: 'compensation of step "debit" failed: ledger closed',
      }),
    ]);
    const all = await request(app.getHttpServer()).get('/sagas?limit=1&offset=1').expect(200);
    expect(all.body.sagas).toHaveLength(1);
  });

  it('serves one saga with its step history and times', async () => {
    const { body } = await request(app.getHttpServer()).get(`/sagas/${failedId}`).expect(200);
    expect(body).toMatchObject({ id: failedId, state: 'FAILED' });
    expect(
      body.history.map((e: { type: string; step: string | null; outcome?: string }) =>
        [e.type, e.step, e.outcome].filter(Boolean).join(' '),
      ),
    ).toEqual([
      'local-step-ran debit success',
      'local-step-ran notify failure',
      'local-compensation-ran debit failure',
      'failed',
    ]);
    expect(body.history[1].detail).toBe('no address');
    expect(body.history[3].detail).toBe('compensation of step "debit" failed: ledger closed');
    expect(Number.isNaN(Date.parse(body.history[0].at))).toBe(false);
  });

  it('lists the parked outbox rows with the broker’s reason', async () => {
    // What the relay writes after the broker refused a row `relay.maxAttempts` times.
    await app
      .get<DataSource>(getServiceDataSourceToken('shop'))
      .manager.insert(OutboxDeadLetterEntity, {
        id: '7',
        topic: 'refunds.commands',
        key: failedId,
        messageId: 'm-7',
        headers: {},
        value: '{}',
        createdAt: 1_000,
        reason: 'MESSAGE_TOO_LARGE: the message is too large',
        attempts: 5,
        parkedAt: 2_000,
      });
    const { body } = await request(app.getHttpServer()).get('/saga-dead-letters').expect(200);
    expect(body.deadLetters).toEqual([
      expect.objectContaining({
        id: '7',
        topic: 'refunds.commands',
        key: failedId,
        reason: 'MESSAGE_TOO_LARGE: the message is too large',
        attempts: 5,
        parkedAt: new Date(2_000).toISOString(),
      }),
    ]);
    const bad = await request(app.getHttpServer()).get('/saga-dead-letters?limit=x').expect(400);
    const fields = bad.body.violations.map((v: { field: string }) => v.field);
    expect([...new Set(fields)]).toEqual(['limit']);
  });

  it('answers 400 naming each bad parameter, and 404 for an unknown saga', async () => {
    const bad = await request(app.getHttpServer())
      .get('/sagas?state=DONE&limit=0&offset=-1')
      .expect(400);
    expect(bad.body.violations.map((v: { field: string }) => v.field).sort()).toEqual([
      'limit',
      'offset',
      'state',
    ]);
    const longId = await request(app.getHttpServer())
      .get(`/sagas/${'x'.repeat(65)}`)
      .expect(400);
    expect(longId.body.violations.map((v: { field: string }) => v.field)).toEqual(['id']);
    const missing = await request(app.getHttpServer()).get('/sagas/no-such-saga').expect(404);
    expect(missing.body.message).toBe('saga "no-such-saga" not found');
  });
});
