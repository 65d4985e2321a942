import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { silenceNestLogger } from '@herd/testing';
import { defineSaga } from './core/saga-definition.builder';
import { validatedBy } from './core/payload-schema';
import { SagaCommandRejectedError } from './errors/saga-command-rejected.error';
import { SagaOptionsError } from './errors/saga-options.error';
import { SagaStateError } from './errors/saga-state.error';
import { SagaInstanceEntity } from './orchestrator/saga-instance.entity';
import { SagaRuntime } from './saga-runtime';
import { SAGA_HEADERS } from './saga.constants';
import { sagaEnd, sagaSqlite } from './testing/memory-saga-fixture';
import { waitFor } from './testing/wait-for';
import { MemoryBroker } from './transport/memory/memory-broker';
import { MemorySagaTransport } from './transport/memory/memory-saga.transport';

/** A domain error the ship handler declares as a business refusal (`rejects`). */
class OutOfStockError extends Error {
  constructor() {
    super('out of stock');
  }
}

interface Order {
  orderId: string;
  amount: number;
  reservation?: string;
  confirmed?: boolean;
}

describe('SagaRuntime on the memory transport and SQLite', () => {
  // Refused commands, rejected handlers and retried conflicts are what this suite provokes.
  silenceNestLogger();
  let broker: MemoryBroker;
  let orchestratorDb: DataSource;
  let participantDb: DataSource;
  let orchestrator: SagaRuntime;
  let participant: SagaRuntime;
  const effects: string[] = [];
  let shipBehaviour: 'ok' | 'reject' | 'slow' | 'busy-once' | 'flaky' | 'out-of-stock' = 'ok';
  /** Handler attempts of ship.create, counting the ones that threw. */
  let shipAttempts = 0;
  let releaseBehaviour: 'ok' | 'reject' = 'ok';

  const order = defineSaga<Order>('order', 1)
    .data(
      validatedBy((input) =>
        typeof (input as Order)?.amount === 'number' ? [] : ['amount must be a number'],
      ),
    )
    .remote('reserve-credit', {
      channel: 'credit',
      command: 'credit.reserve',
      payload: (d) => ({ orderId: d.orderId, amount: d.amount }),
      onReply: (d, reply) => ({ ...d, reservation: (reply as { id: string }).id }),
      replySchema: validatedBy((r) =>
        typeof (r as { id?: unknown })?.id === 'string' ? [] : ['id'],
      ),
      compensate: { command: 'credit.release', payload: (d) => ({ orderId: d.orderId }) },
      timeoutMs: 2_000,
    })
    .remote('ship', {
      channel: 'shipping',
      command: 'ship.create',
      payload: (d) => ({ orderId: d.orderId }),
      compensate: { command: 'ship.cancel', payload: (d) => ({ orderId: d.orderId }) },
      timeoutMs: 300,
      retry: { maxAttempts: 2, backoffMs: 50 },
    })
    .build();

  /** Same hops as `order`, with user functions that throw for chosen order ids. */
  const fragile = defineSaga<Order>('fragile', 1)
    .remote('reserve-credit', {
      channel: 'credit',
      command: 'credit.reserve',
      payload: (d) => ({ orderId: d.orderId, amount: d.amount }),
      onReply: (d) => {
        if (d.orderId === 'bad-fold') throw new TypeError('reply has no id');
        return d;
      },
      compensate: {
        command: 'credit.release',
        payload: (d) => {
          if (d.orderId === 'bad-undo') throw new RangeError('no reservation to release');
          return { orderId: d.orderId };
        },
      },
    })
    .remote('ship', {
      channel: 'shipping',
      command: 'ship.create',
      payload: (d) => {
        if (d.orderId === 'bad-payload') throw new Error('address missing');
        return { orderId: d.orderId };
      },
      timeoutMs: 300,
    })
    .build();

  /** The order's hops, with a ship retry far away: an operator acts while the saga waits it out. */
  const patient = defineSaga<Order>('patient', 1)
    .remote('reserve-credit', {
      channel: 'credit',
      command: 'credit.reserve',
      payload: (d) => ({ orderId: d.orderId, amount: d.amount }),
      compensate: { command: 'credit.release', payload: (d) => ({ orderId: d.orderId }) },
    })
    .remote('ship', {
      channel: 'shipping',
      command: 'ship.create',
      payload: (d) => ({ orderId: d.orderId }),
      compensate: { command: 'ship.cancel', payload: (d) => ({ orderId: d.orderId }) },
      retry: { maxAttempts: 2, backoffMs: 600_000 },
    })
    .build();

  beforeEach(async () => {
    effects.length = 0;
    shipBehaviour = 'ok';
    shipAttempts = 0;
    releaseBehaviour = 'ok';
    broker = new MemoryBroker();
    orchestratorDb = await sagaSqlite();
    participantDb = await sagaSqlite();
    orchestrator = new SagaRuntime({
      dataSource: orchestratorDb,
      serviceName: 'orders',
      transport: new MemorySagaTransport(broker, 10),
      definitions: [order, fragile, patient],
      timeoutCheckIntervalMs: 50,
      relay: { pollIntervalMs: 20 },
    });
    participant = new SagaRuntime({
      dataSource: participantDb,
      serviceName: 'credit',
      transport: new MemorySagaTransport(broker, 10),
      relay: { pollIntervalMs: 20 },
      // Well inside the ship step's 300 ms timeout.
      transientRetry: { initialBackoffMs: 10 },
    });
    participant.registerHandler({
      command: 'credit.reserve',
      channel: 'credit',
      schema: validatedBy((p) => (typeof (p as Order).amount === 'number' ? [] : ['no amount'])),
      handle: (p) => {
        effects.push(`reserve:${(p as Order).orderId}`);
        return (p as Order).orderId === 'bad-reply'
          ? { id: 42 }
          : { id: `r-${(p as Order).orderId}` };
      },
    });
    participant.registerHandler({
      command: 'credit.release',
      channel: 'credit',
      handle: (p) => {
        if (releaseBehaviour === 'reject') throw new SagaCommandRejectedError('ledger closed');
        effects.push(`release:${(p as Order).orderId}`);
      },
    });
    participant.registerHandler({
      command: 'ship.create',
      channel: 'shipping',
      rejects: [OutOfStockError],
      handle: async (p) => {
        shipAttempts += 1;
        if (shipBehaviour === 'flaky' && shipAttempts < 3) {
          throw new Error('could not serialize access due to concurrent update');
        }
        if (shipBehaviour === 'out-of-stock') throw new OutOfStockError();
        if (shipBehaviour === 'reject') throw new SagaCommandRejectedError('no courier');
        if (shipBehaviour === 'busy-once') {
          shipBehaviour = 'ok';
          throw new SagaCommandRejectedError('courier busy', true);
        }
        if (shipBehaviour === 'slow') await sleep(1_000);
        effects.push(`ship:${(p as Order).orderId}`);
      },
    });
    participant.registerHandler({
      command: 'ship.cancel',
      channel: 'shipping',
      handle: (p) => void effects.push(`cancel:${(p as Order).orderId}`),
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

  const terminal = (id: string) => sagaEnd(orchestrator, id, 10_000);

  it('completes the happy path and folds replies into the data', async () => {
    const id = await orchestrator.orchestrator.start('order', { orderId: 'o1', amount: 5 });
    const view = await terminal(id);
    expect(view).toMatchObject({ state: 'COMPLETED', currentStep: null, failureReason: null });
    expect(view.data).toEqual({ orderId: 'o1', amount: 5, reservation: 'r-o1' });
    expect(effects).toEqual(['reserve:o1', 'ship:o1']);
  });

  it('compensates step 1 when step 2 replies failure', async () => {
    shipBehaviour = 'reject';
    const id = await orchestrator.orchestrator.start('order', { orderId: 'o2', amount: 5 });
    const view = await terminal(id);
    expect(view.state).toBe('COMPENSATED');
    expect(view.failureReason).toBe('step "ship" failed: no courier');
    expect(effects).toEqual(['reserve:o2', 'release:o2']);
  });

  it('retries a handler that hits a transient error in the process: no failure reply, no compensation', async () => {
    shipBehaviour = 'flaky';
    const id = await orchestrator.orchestrator.start('order', { orderId: 'o7', amount: 5 });
    const view = await terminal(id);
    expect(view).toMatchObject({ state: 'COMPLETED', attempt: 1, failureReason: null });
    expect(shipAttempts).toBe(3);
    expect(effects).toEqual(['reserve:o7', 'ship:o7']);
    // Retried before any answer: the one command was delivered once, no reply said failure.
    expect(broker.messages('shipping')).toHaveLength(1);
    const replies = broker.messages('orders.saga-replies').map((m) => JSON.parse(m.value));
    expect(replies.map((r: { outcome: string }) => r.outcome)).toEqual(['success', 'success']);
  });

  it('compensates on an error the handler declares a business refusal', async () => {
    shipBehaviour = 'out-of-stock';
    const id = await orchestrator.orchestrator.start('order', { orderId: 'o8', amount: 5 });
    expect(await terminal(id)).toMatchObject({
      state: 'COMPENSATED',
      failureReason: 'step "ship" failed: out of stock',
    });
    expect(shipAttempts).toBe(1);
    expect(effects).toEqual(['reserve:o8', 'release:o8']);
  });

  it('resends a command after a retryable failure reply, with a new message id', async () => {
    shipBehaviour = 'busy-once';
    const id = await orchestrator.orchestrator.start('order', { orderId: 'o6', amount: 5 });
    const view = await terminal(id);
    expect(view).toMatchObject({ state: 'COMPLETED', attempt: 2 });
    expect(effects).toEqual(['reserve:o6', 'ship:o6']);
    const ships = broker.messages('shipping').map((m) => m.headers[SAGA_HEADERS.messageId]);
    expect(new Set(ships).size).toBe(2);
  });

  it('compensates when a step times out, including the step whose outcome is unknown', async () => {
    shipBehaviour = 'slow';
    const id = await orchestrator.orchestrator.start('order', { orderId: 'o3', amount: 5 });
    const view = await terminal(id);
    expect(view).toMatchObject({
      state: 'COMPENSATED',
      failureReason: 'step "ship" timed out after 300 ms',
    });
    // The late ship applied: its own compensation undoes it (after it, same topic and key).
    expect(effects).toEqual(['reserve:o3', 'ship:o3', 'cancel:o3', 'release:o3']);
  });

  it('parks a saga FAILED when a compensation fails, and retries it on demand', async () => {
    shipBehaviour = 'reject';
    releaseBehaviour = 'reject';
    const id = await orchestrator.orchestrator.start('order', { orderId: 'o4', amount: 5 });
    const failed = await terminal(id);
    expect(failed).toMatchObject({
      state: 'FAILED',
      currentStep: 'reserve-credit',
      failureReason: 'compensation of step "reserve-credit" failed: ledger closed',
    });
    expect(await orchestrator.orchestrator.list({ state: 'FAILED' })).toHaveLength(1);
    releaseBehaviour = 'ok';
    await orchestrator.orchestrator.retry(id);
    expect((await terminal(id)).state).toBe('COMPENSATED');
    await expect(orchestrator.orchestrator.retry(id)).rejects.toBeInstanceOf(SagaStateError);
  });

  /** A `patient` saga whose ship was refused once (retryable), now waiting out its backoff. */
  async function backingOff(orderId: string): Promise<string> {
    shipBehaviour = 'busy-once';
    const id = await orchestrator.orchestrator.start('patient', { orderId, amount: 5 });
    await waitFor(
      async () => {
        const { history } = await orchestrator.orchestrator.findById(id);
        return history.some((e) => e.type === 'retry-scheduled') ? true : undefined;
      },
      'the ship retry to be scheduled',
      10_000,
    );
    return id;
  }

  it('cancels a saga waiting out a retry backoff: the refused step is not compensated, the earlier ones are', async () => {
    const id = await backingOff('o9');
    await orchestrator.orchestrator.cancel(id, 'too slow');
    expect(await terminal(id)).toMatchObject({
      state: 'COMPENSATED',
      failureReason: 'cancelled: too slow',
    });
    // The refusal rolled the ship back: nothing to cancel there.
    expect(effects).toEqual(['reserve:o9', 'release:o9']);
    const { history } = await orchestrator.orchestrator.findById(id);
    expect(history.map((e) => `${e.type} ${e.step ?? ''}`.trim())).toEqual([
      'command-sent reserve-credit',
      'reply-received reserve-credit',
      'command-sent ship',
      'reply-received ship',
      'retry-scheduled ship',
      'cancelled ship',
      'compensation-sent reserve-credit',
      'reply-received reserve-credit',
      'compensated',
    ]);
    expect(history[3]).toMatchObject({ outcome: 'failure', detail: 'courier busy' });
  });

  it('resumes a saga waiting out a retry backoff: the retry runs now', async () => {
    const id = await backingOff('o10');
    await orchestrator.orchestrator.resume(id);
    expect(await terminal(id)).toMatchObject({ state: 'COMPLETED', attempt: 2 });
    expect(effects).toEqual(['reserve:o10', 'ship:o10']);
  });

  it('refuses a cancel reason that is empty or too long, naming it', async () => {
    const id = await backingOff('o11');
    await expect(orchestrator.orchestrator.cancel(id, '')).rejects.toThrow(
      'reason is invalid: must be 1 to 1000 characters',
    );
    await expect(orchestrator.orchestrator.cancel(id, 'x'.repeat(1001))).rejects.toThrow('reason');
    expect((await orchestrator.orchestrator.findById(id)).state).toBe('RUNNING');
  });

  it('dead-letters a command with an invalid payload and processes the next one', async () => {
    await participant.transport.publish([
      { topic: 'credit', key: 'x', value: 'not json', headers: {} },
    ]);
    const id = await orchestrator.orchestrator.start('order', { orderId: 'o5', amount: 5 });
    expect((await terminal(id)).state).toBe('COMPLETED');
    const dead = broker.messages('credit.dlq');
    expect(dead).toHaveLength(1);
    expect(dead[0]?.headers).toMatchObject({
      [SAGA_HEADERS.dlqReason]: 'undecodable',
      [SAGA_HEADERS.dlqOriginalTopic]: 'credit',
      [SAGA_HEADERS.dlqOriginalOffset]: '0',
    });
    const [entry] = await participant.deadLetterTopics.list();
    expect(entry).toMatchObject({
      ref: 'credit.dlq/0/0',
      originalTopic: 'credit',
      reason: 'undecodable',
    });
    // Replayed onto its topic, it meets the same checks: dead-lettered again, marked as a replay.
    await participant.deadLetterTopics.replay('credit.dlq/0/0');
    await waitFor(() => broker.messages('credit.dlq')[1], 'the replayed garbage in the DLQ');
    expect(broker.messages('credit')[broker.messages('credit').length - 1]?.headers).toEqual({
      [SAGA_HEADERS.dlqReplayedFrom]: 'credit.dlq/0/0',
    });
    await expect(participant.deadLetterTopics.replay('credit.dlq/0/7')).rejects.toThrow(
      'dead letter "credit.dlq/0/7" not found',
    );
  });

  it('dead-letters a replayed command older than the inbox retention instead of applying it', async () => {
    const week = 7 * 24 * 3_600_000;
    const stale = {
      envelope: 1,
      id: 'stale-1',
      kind: 'command',
      type: 'credit.reserve',
      sagaId: 'old-saga',
      sagaType: 'order',
      definitionVersion: 1,
      timestamp: Date.now() - week - 60_000,
      correlationId: 'old-saga',
      causationId: null,
      traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`,
      replyTo: 'orders.saga-replies',
      payload: { orderId: 'stale', amount: 1 },
    };
    await participant.transport.publish([
      { topic: 'credit', key: 'old-saga', value: JSON.stringify(stale), headers: {} },
    ]);
    const id = await orchestrator.orchestrator.start('order', { orderId: 'o10', amount: 5 });
    expect((await terminal(id)).state).toBe('COMPLETED');
    expect(broker.messages('credit.dlq')[0]?.headers[SAGA_HEADERS.dlqReason]).toBe(
      'past-inbox-retention',
    );
    expect(effects).toEqual(['reserve:o10', 'ship:o10']);
  });

  it('dead-letters a reply its step schema refuses and leaves the step to its timeout', async () => {
    const id = await orchestrator.orchestrator.start('order', { orderId: 'bad-reply', amount: 5 });
    await waitFor(() => broker.messages('orders.saga-replies.dlq')[0], 'the reply in the DLQ');
    expect(broker.messages('orders.saga-replies.dlq')[0]?.headers[SAGA_HEADERS.dlqReason]).toBe(
      'invalid-payload',
    );
    expect((await orchestrator.orchestrator.findById(id)).state).toBe('RUNNING');
  });

  it('runs local steps in the orchestrator transaction and compensates when one refuses', async () => {
    await orchestrator.close();
    let deadlocks = 0;
    const withLocal = defineSaga<Order>('local-order', 1)
      .remote('reserve-credit', {
        channel: 'credit',
        command: 'credit.reserve',
        payload: (d) => ({ orderId: d.orderId, amount: d.amount }),
        compensate: { command: 'credit.release', payload: (d) => ({ orderId: d.orderId }) },
      })
      .local('check-limit', {
        run: (d) => {
          if (d.amount > 100) throw new SagaCommandRejectedError('over the limit');
          if (d.orderId === 'l3' && deadlocks++ === 0) throw new Error('deadlock detected');
          return { ...d, confirmed: true };
        },
      })
      .build();
    orchestrator = new SagaRuntime({
      dataSource: orchestratorDb,
      serviceName: 'orders',
      transport: new MemorySagaTransport(broker, 10),
      definitions: [withLocal],
      relay: { pollIntervalMs: 20 },
    });
    await orchestrator.start();
    const ok = await orchestrator.orchestrator.start('local-order', { orderId: 'l1', amount: 5 });
    expect(await terminal(ok)).toMatchObject({ state: 'COMPLETED', data: { confirmed: true } });
    const over = await orchestrator.orchestrator.start('local-order', {
      orderId: 'l2',
      amount: 500,
    });
    expect(await terminal(over)).toMatchObject({
      state: 'COMPENSATED',
      failureReason: 'step "check-limit" failed: over the limit',
    });
    // Any other error is transient: the reply that ran the step is handled again, no compensation.
    const flaky = await orchestrator.orchestrator.start('local-order', {
      orderId: 'l3',
      amount: 5,
    });
    expect(await terminal(flaky)).toMatchObject({ state: 'COMPLETED', data: { confirmed: true } });
    expect(deadlocks).toBe(2);
    expect(effects).toEqual(['reserve:l1', 'reserve:l2', 'release:l2', 'reserve:l3']);
  });

  it('fails a saga whose payload() or onReply() throws, with the error as reason, and goes on', async () => {
    const badPayload = await orchestrator.orchestrator.start('fragile', {
      orderId: 'bad-payload',
      amount: 1,
    });
    const badFold = await orchestrator.orchestrator.start('fragile', {
      orderId: 'bad-fold',
      amount: 1,
    });
    const fine = await orchestrator.orchestrator.start('fragile', { orderId: 'f1', amount: 1 });
    expect(await terminal(badPayload)).toMatchObject({
      state: 'FAILED',
      currentStep: 'ship',
      failureReason: 'step "ship": payload() threw: address missing',
    });
    expect(await terminal(badFold)).toMatchObject({
      state: 'FAILED',
      currentStep: 'reserve-credit',
      failureReason: 'step "reserve-credit": onReply() threw: reply has no id',
    });
    // The replies behind them on the same topic were handled.
    expect((await terminal(fine)).state).toBe('COMPLETED');
  });

  it('fails a saga whose compensation payload() throws at a deadline; the other deadlines fire', async () => {
    shipBehaviour = 'slow';
    const badUndo = await orchestrator.orchestrator.start('fragile', {
      orderId: 'bad-undo',
      amount: 1,
    });
    const other = await orchestrator.orchestrator.start('fragile', { orderId: 'u1', amount: 1 });
    expect(await terminal(badUndo)).toMatchObject({
      state: 'FAILED',
      failureReason:
        'compensation of step "reserve-credit": payload() threw: no reservation to release',
    });
    expect(await terminal(other)).toMatchObject({
      state: 'COMPENSATED',
      failureReason: 'step "ship" timed out after 300 ms',
    });
  });

  it('never spins on due instances of an unregistered version, and fires the others', async () => {
    // 150 due instances left by a version this deploy no longer registers, due before anything.
    const table = orchestratorDb.getMetadata(SagaInstanceEntity).tableName;
    for (let i = 0; i < 150; i += 1) {
      await orchestratorDb.query(
        `INSERT INTO ${table} (id, saga_type, definition_version, state, step_index, attempt, data,
         awaiting_message_id, deadline_at, step_started_at, failure_reason, correlation_id,
         traceparent, created_at, updated_at)
         VALUES (?, 'order', 99, 'RUNNING', 0, 1, '{}', 'm', 1, 1, NULL, 'c', 't', 1, 1)`,
        [`old-${i}`],
      );
    }
    expect(await orchestrator.orchestrator.processDeadlines(100)).toBe(0);
    shipBehaviour = 'slow';
    const id = await orchestrator.orchestrator.start('order', { orderId: 'o9', amount: 5 });
    expect(await terminal(id)).toMatchObject({
      state: 'COMPENSATED',
      failureReason: 'step "ship" timed out after 300 ms',
    });
    // And intake stops (afterEach closes both runtimes).
  });

  it('rejects saga data its schema refuses', async () => {
    await expect(orchestrator.orchestrator.start('order', { orderId: 'x' })).rejects.toThrow(
      'data of saga "order" is invalid: amount must be a number',
    );
  });

  it('fails at construction naming the bad option', () => {
    expect(
      () =>
        new SagaRuntime({
          dataSource: orchestratorDb,
          serviceName: 'has space',
          transport: { type: 'memory' },
        }),
    ).toThrow(new SagaOptionsError('serviceName', 'must be a non-empty string of [A-Za-z0-9._-]'));
    expect(
      () =>
        new SagaRuntime({
          dataSource: orchestratorDb,
          serviceName: 's',
          transport: { type: 'kafka', brokers: [] },
        }),
    ).toThrow('"transport.brokers"');
  });
});
