import { DataSource } from 'typeorm';
import { defineSaga } from '../core/saga-definition.builder';
import type { SagaEnvelope } from '../core/saga-envelope';
import { SagaRuntime } from '../saga-runtime';
import { sagaEnd, sagaSqlite } from '../testing/memory-saga-fixture';
import { waitFor } from '../testing/wait-for';
import { MemoryBroker } from '../transport/memory/memory-broker';
import { MemorySagaTransport } from '../transport/memory/memory-saga.transport';
import { deferReply, pendingCommand, type PendingCommand } from './deferred-reply';

interface Render {
  name: string;
  url?: string;
}

describe('deferred replies: accept a command now, answer it later', () => {
  let broker: MemoryBroker;
  let orchestratorDb: DataSource;
  let participantDb: DataSource;
  let orchestrator: SagaRuntime;
  let participant: SagaRuntime;
  /** What a real participant keeps in its job rows, written in the handler's transaction. */
  let pending: Map<string, PendingCommand>;
  let accepted: string[];
  let discarded: string[];

  const render = defineSaga<Render>('render', 1)
    .remote('render', {
      channel: 'renderer',
      command: 'render.start',
      payload: (d) => ({ name: d.name }),
      onReply: (d, reply) => ({ ...d, url: (reply as { url: string }).url }),
      compensate: { command: 'render.discard', payload: (d) => ({ name: d.name }) },
      timeoutMs: 1_500,
    })
    .build();

  beforeEach(async () => {
    pending = new Map();
    accepted = [];
    discarded = [];
    broker = new MemoryBroker();
    orchestratorDb = await sagaSqlite();
    participantDb = await sagaSqlite();
    orchestrator = new SagaRuntime({
      dataSource: orchestratorDb,
      serviceName: 'studio',
      transport: new MemorySagaTransport(broker, 10),
      definitions: [render],
      timeoutCheckIntervalMs: 50,
      relay: { pollIntervalMs: 20 },
    });
    participant = new SagaRuntime({
      dataSource: participantDb,
      serviceName: 'renderer',
      transport: new MemorySagaTransport(broker, 10),
      relay: { pollIntervalMs: 20 },
    });
    participant.registerHandler({
      command: 'render.start',
      channel: 'renderer',
      handle: (p, { envelope }: { envelope: SagaEnvelope }) => {
        const { name } = p as Render;
        accepted.push(name);
        pending.set(name, pendingCommand(envelope));
        return deferReply();
      },
    });
    participant.registerHandler({
      command: 'render.discard',
      channel: 'renderer',
      handle: (p) => void discarded.push((p as Render).name),
    });
    await participant.start();
    await orchestrator.start();
  });

  afterEach(async () => {
    await orchestrator.close();
    await participant.close();
    await orchestratorDb.destroy();
    await participantDb.destroy();
  });

  const view = (id: string) => orchestrator.orchestrator.findById(id);
  const terminal = (id: string) => sagaEnd(orchestrator, id, 5_000);
  const acceptedCommand = (name: string) => waitFor(() => pending.get(name), `${name} accepted`);

  it('leaves the saga waiting after the handler returns, and completes it on a later success', async () => {
    const id = await orchestrator.orchestrator.start('render', { name: 'a' });
    const command = await acceptedCommand('a');
    // The partition goes on: a second command is accepted while the first is still unanswered.
    const other = await orchestrator.orchestrator.start('render', { name: 'b' });
    await acceptedCommand('b');
    expect((await view(id)).state).toBe('RUNNING');
    await participantDb.transaction((manager) =>
      participant.replier.succeed(manager, command, { url: '/a.mp4' }),
    );
    expect(await terminal(id)).toMatchObject({
      state: 'COMPLETED',
      data: { name: 'a', url: '/a.mp4' },
    });
    expect((await view(other)).state).toBe('RUNNING');
    expect(accepted).toEqual(['a', 'b']);
  });

  it('compensates with the reason of a later failure', async () => {
    const id = await orchestrator.orchestrator.start('render', { name: 'bad' });
    const command = await acceptedCommand('bad');
    await participantDb.transaction((manager) =>
      participant.replier.fail(manager, command, 'moov atom not found'),
    );
    expect(await terminal(id)).toMatchObject({
      state: 'COMPENSATED',
      failureReason: 'step "render" failed: moov atom not found',
    });
    // A failure reply means the participant undid its part: the failed step is not compensated.
    expect(discarded).toEqual([]);
  });

  it('sends nothing when the transaction holding the reply rolls back', async () => {
    const id = await orchestrator.orchestrator.start('render', { name: 'rollback' });
    const command = await acceptedCommand('rollback');
    await expect(
      participantDb.transaction(async (manager) => {
        await participant.replier.succeed(manager, command, { url: '/r.mp4' });
        throw new Error('renditions not stored');
      }),
    ).rejects.toThrow('renditions not stored');
    await participantDb.transaction((manager) =>
      participant.replier.succeed(manager, command, { url: '/r2.mp4' }),
    );
    expect((await terminal(id)).data).toEqual({ name: 'rollback', url: '/r2.mp4' });
  });

  it('lets the step timeout cover the whole work: unanswered, the saga compensates', async () => {
    const id = await orchestrator.orchestrator.start('render', { name: 'slow' });
    await acceptedCommand('slow');
    expect(await terminal(id)).toMatchObject({
      state: 'COMPENSATED',
      failureReason: 'step "render" timed out after 1500 ms',
    });
    expect(discarded).toEqual(['slow']);
  });

  it('refuses to answer something that is not a pending command', async () => {
    await expect(
      participantDb.transaction((manager) =>
        participant.replier.succeed(manager, { id: 'x' } as PendingCommand, null),
      ),
    ).rejects.toThrow(
      'not a pending saga command (missing type, sagaId, sagaType, correlationId, traceparent, replyTo, definitionVersion)',
    );
  });
});
