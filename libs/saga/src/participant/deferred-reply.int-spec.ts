import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { herdInfraEnv } from '@herd/testing';
import { Kafka, logLevel } from 'kafkajs';
import { DataSource } from 'typeorm';
import { defineSaga } from '../core/saga-definition.builder';
import { TERMINAL_SAGA_STATES } from '../core/saga-state';
import type { SagaCommandContext } from '../interfaces/saga-command-handler.interface';
import type { SagaView } from '../interfaces/saga-view.interface';
import { SagaCommandHandler } from '../nest/saga-command-handler.decorator';
import { SagaOrchestrator } from '../orchestrator/saga-orchestrator';
import { SagaModule } from '../saga.module';
import { LedgerEntryEntity } from '../testing/ledger-entry.entity';
import { PgTestSchema } from '../testing/pg-test-schema';
import { waitFor } from '../testing/wait-for';
import { deadLetterTopic } from '../transport/saga-transport';
import { deferReply, pendingCommand, type PendingCommand } from './deferred-reply';
import { SagaReplier } from './saga-replier';

const run = randomBytes(4).toString('hex');
const CHANNEL = `herd-saga-it.render.${run}`;
const STUDIO = `studio-${run}`;
const RENDERER = `renderer-${run}`;
const SAGA = `render-${run}`;

interface Render {
  name: string;
  url?: string;
}

/** Commands accepted and not yet answered: a real participant keeps these in its job rows. */
const pending = new Map<string, PendingCommand>();

@Injectable()
class Renderer {
  @SagaCommandHandler('render.start', { channel: CHANNEL })
  async start({ name }: Render, { manager, envelope }: SagaCommandContext) {
    await manager.insert(LedgerEntryEntity, { sagaId: envelope.sagaId, kind: 'accepted' });
    pending.set(name, pendingCommand(envelope));
    return deferReply();
  }

  @SagaCommandHandler('render.discard', { channel: CHANNEL })
  async discard(_: Render, { manager, envelope }: SagaCommandContext) {
    await manager.insert(LedgerEntryEntity, { sagaId: envelope.sagaId, kind: 'discarded' });
  }
}

describe('deferred replies on real Kafka and PostgreSQL', () => {
  const env = herdInfraEnv();
  const kafka = { type: 'kafka' as const, brokers: env.kafkaBrokers, clientId: run };
  const studioSchema = new PgTestSchema(env.postgresUrl);
  const rendererSchema = new PgTestSchema(env.postgresUrl);
  let rendererDb: DataSource;
  let studioApp: TestingModule;
  let rendererApp: TestingModule;
  let orchestrator: SagaOrchestrator;
  let replier: SagaReplier;

  const render = defineSaga<Render>(SAGA, 1)
    .remote('render', {
      channel: CHANNEL,
      command: 'render.start',
      payload: (d) => ({ name: d.name }),
      onReply: (d, reply) => ({ ...d, url: (reply as { url: string }).url }),
      compensate: { command: 'render.discard', payload: (d) => ({ name: d.name }) },
      timeoutMs: 20_000,
    })
    .build();
  const quick = defineSaga<Render>(`${SAGA}-quick`, 1)
    .remote('render', {
      channel: CHANNEL,
      command: 'render.start',
      payload: (d) => ({ name: d.name }),
      compensate: { command: 'render.discard', payload: (d) => ({ name: d.name }) },
      timeoutMs: 2_000,
    })
    .build();

  beforeAll(async () => {
    await Promise.all([studioSchema.create(), rendererSchema.create()]);
    await studioSchema.synchronize();
    await rendererSchema.synchronize([LedgerEntryEntity]);
    const studioDb = await studioSchema.dataSource();
    rendererDb = await rendererSchema.dataSource([LedgerEntryEntity]);
    rendererApp = await Test.createTestingModule({
      imports: [
        SagaModule.forRoot({ dataSource: rendererDb, serviceName: RENDERER, transport: kafka }),
      ],
      providers: [Renderer],
    }).compile();
    await rendererApp.init();
    studioApp = await Test.createTestingModule({
      imports: [
        SagaModule.forRoot({
          dataSource: studioDb,
          serviceName: STUDIO,
          transport: kafka,
          definitions: [render, quick],
          timeoutCheckIntervalMs: 200,
        }),
      ],
    }).compile();
    await studioApp.init();
    orchestrator = studioApp.get(SagaOrchestrator);
    replier = rendererApp.get(SagaReplier);
  });

  afterAll(async () => {
    await studioApp?.close();
    await rendererApp?.close();
    const admin = new Kafka({ brokers: env.kafkaBrokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin
      .deleteTopics({
        topics: [CHANNEL, `${STUDIO}.saga-replies`].flatMap((t) => [t, deadLetterTopic(t)]),
      })
      .catch(() => undefined);
    await admin.deleteGroups([STUDIO, RENDERER]).catch(() => undefined);
    await admin.disconnect();
    await Promise.all([studioSchema.drop(), rendererSchema.drop()]);
  });

  const terminal = (id: string) =>
    waitFor<SagaView>(
      async () => {
        const view = await orchestrator.findById(id);
        return TERMINAL_SAGA_STATES.includes(view.state) ? view : undefined;
      },
      `saga ${id} to end`,
      30_000,
    );
  const accepted = (name: string) => waitFor(() => pending.get(name), `${name} accepted`);
  const ledger = async (sagaId: string) =>
    (
      await rendererDb.manager.find(LedgerEntryEntity, { where: { sagaId }, order: { id: 'ASC' } })
    ).map((e) => e.kind);

  it('accepts commands without holding the partition, and completes each on its later reply', async () => {
    const first = await orchestrator.start(SAGA, { name: `a-${run}` });
    const firstCommand = await accepted(`a-${run}`);
    // Same topic, single partition: the second command is consumed while the first is unanswered.
    const second = await orchestrator.start(SAGA, { name: `b-${run}` });
    const secondCommand = await accepted(`b-${run}`);
    expect((await orchestrator.findById(first)).state).toBe('RUNNING');

    await rendererDb.transaction(async (manager) => {
      await manager.insert(LedgerEntryEntity, { sagaId: second, kind: 'rendered' });
      await replier.succeed(manager, secondCommand, { url: '/b.mp4' });
    });
    expect(await terminal(second)).toMatchObject({ state: 'COMPLETED', data: { url: '/b.mp4' } });
    expect((await orchestrator.findById(first)).state).toBe('RUNNING');

    await rendererDb.transaction(async (manager) => {
      await manager.insert(LedgerEntryEntity, { sagaId: first, kind: 'rendered' });
      await replier.succeed(manager, firstCommand, { url: '/a.mp4' });
    });
    expect(await terminal(first)).toMatchObject({ state: 'COMPLETED', data: { url: '/a.mp4' } });
    expect(await ledger(first)).toEqual(['accepted', 'rendered']);
  });

  it('compensates with the reason a later failure reply gives', async () => {
    const id = await orchestrator.start(SAGA, { name: `bad-${run}` });
    const command = await accepted(`bad-${run}`);
    await rendererDb.transaction((manager) =>
      replier.fail(manager, command, 'Invalid data found when processing input'),
    );
    expect(await terminal(id)).toMatchObject({
      state: 'COMPENSATED',
      failureReason: 'step "render" failed: Invalid data found when processing input',
    });
  });

  it("covers the work with the step's timeout: never answered, the saga compensates", async () => {
    const id = await orchestrator.start(`${SAGA}-quick`, { name: `lost-${run}` });
    await accepted(`lost-${run}`);
    expect(await terminal(id)).toMatchObject({
      state: 'COMPENSATED',
      failureReason: 'step "render" timed out after 2000 ms',
    });
    expect(await ledger(id)).toEqual(['accepted', 'discarded']);
  });
});
