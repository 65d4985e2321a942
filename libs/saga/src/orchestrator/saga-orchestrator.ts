import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { In, LessThanOrEqual, type DataSource, type EntityManager } from 'typeorm';
import { parseWith } from '../core/payload-schema';
import type { SagaDefinition } from '../core/saga-definition';
import type { SagaDefinitionRegistry } from '../core/saga-definition.registry';
import { isTraceparent, newTraceparent, type SagaEnvelope } from '../core/saga-envelope';
import { SAGA_STATES, type SagaState } from '../core/saga-state';
import type { SqlStatement } from '../core/sql-dialect';
import { SagaStateMachine, type Transition } from '../core/saga-state-machine';
import { PoisonMessageError } from '../errors/poison-message.error';
import { SagaNotFoundError } from '../errors/saga-not-found.error';
import { SagaPayloadInvalidError } from '../errors/saga-payload-invalid.error';
import { SagaStateError } from '../errors/saga-state.error';
import { UnknownSagaDefinitionError } from '../errors/unknown-saga-definition.error';
import type {
  SagaDetailView,
  SagaListQuery,
  SagaStateChange,
  SagaStateChangeListener,
  SagaView,
  StartSagaOptions,
} from '../interfaces/saga-view.interface';
import type { SagaMetrics } from '../metrics/saga-metrics';
import type { Outbox, WrittenMessage } from '../outbox/outbox';
import { SAGA_ENVELOPE_VERSION } from '../saga.constants';
import { SagaInstanceEntity } from './saga-instance.entity';
import { SagaInstanceStore } from './saga-instance.store';

/**
 * Starts sagas and advances them on replies and deadlines. Every advance loads the instance with a
 * row lock and writes its new state and outgoing commands in one transaction.
 */
export class SagaOrchestrator {
  private readonly logger = new Logger(SagaOrchestrator.name);
  private readonly postgres: boolean;
  private readonly store: SagaInstanceStore;
  private readonly listeners = new Set<SagaStateChangeListener>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly registry: SagaDefinitionRegistry,
    private readonly outbox: Outbox,
    private readonly replyTopic: string,
    private readonly metrics: SagaMetrics,
    /** Called after our own transactions commit, with the outbox rows they wrote. */
    private readonly committed: (written: WrittenMessage[]) => void,
    private readonly leaseMs: number,
  ) {
    this.postgres = dataSource.options.type === 'postgres';
    this.store = new SagaInstanceStore(outbox.dialect);
  }

  /**
   * Calls `listener` after each committed state change made by this process (e.g. to answer a
   * waiting HTTP request); returns the unsubscribe function. Other instances' changes are not seen.
   */
  onStateChange(listener: SagaStateChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Starts the latest version of `sagaName`; returns the saga id. */
  async start<D>(sagaName: string, data: D, options: StartSagaOptions = {}): Promise<string> {
    const definition = this.registry.latest(sagaName);
    const validData = parseWith(definition.dataSchema, data, `data of saga "${sagaName}"`);
    if (options.traceparent !== undefined && !isTraceparent(options.traceparent)) {
      throw new SagaPayloadInvalidError('traceparent', 'not W3C trace context');
    }
    const id = options.sagaId ?? randomUUID();
    const now = Date.now();
    const instance = Object.assign(new SagaInstanceEntity(), {
      id,
      sagaType: definition.name,
      definitionVersion: definition.version,
      state: 'RUNNING' as SagaState,
      stepIndex: 0,
      attempt: 0,
      data: validData as object,
      awaitingMessageId: null,
      deadlineAt: null,
      stepStartedAt: now,
      failureReason: null,
      correlationId: options.correlationId ?? id,
      traceparent: options.traceparent ?? newTraceparent(),
      createdAt: now,
      updatedAt: now,
      history: [],
    });
    const work = async (manager: EntityManager, route: OutboxRoute) => {
      const transition = await this.machine(definition).start(instance, manager);
      instance.history.push(...transition.history);
      return this.emit(
        manager,
        definition,
        instance,
        transition,
        route,
        this.store.insert(instance),
      );
    };
    if (options.manager) {
      // Only the caller knows when its transaction commits: NOTIFY wakes the relays then.
      await work(options.manager, 'notify');
    } else {
      // A new saga has no earlier row that its first command could overtake. When no local step
      // runs before that command, the instance and the command are one statement (see
      // Outbox.write), atomic without a transaction around it: one round trip.
      const oneStatement = this.postgres && definition.steps[0]?.kind === 'remote';
      this.committed(
        oneStatement
          ? await work(this.dataSource.manager, 'eager')
          : await this.outbox.dialect.transaction((manager) => work(manager, 'eager')),
      );
      if (instance.state !== 'RUNNING') this.notify([change(instance, 'RUNNING')]);
    }
    this.metrics.started.inc({ saga: definition.name });
    return id;
  }

  async handleReply(reply: SagaEnvelope): Promise<void> {
    // The command this answers was published, so what the reply triggers can leave eagerly.
    await this.advance(reply.sagaId, 'eager', asPoison, async (instance, definition, manager) => {
      if (instance.awaitingMessageId !== reply.causationId) return null;
      const step = definition.steps[instance.stepIndex];
      if (reply.outcome === 'success' && instance.state === 'RUNNING' && step?.kind === 'remote') {
        try {
          parseWith(step.replySchema, reply.payload, `reply to step "${step.name}"`);
        } catch (error) {
          throw new PoisonMessageError('invalid-payload', (error as Error).message);
        }
      }
      return this.machine(definition).onReply(
        instance,
        { outcome: reply.outcome ?? 'failure', payload: reply.payload, error: reply.error },
        manager,
      );
    });
  }

  /**
   * Fires due deadlines (timeouts, backed-off retries); returns how many instances advanced. Only
   * instances of registered versions are loaded, so older ones cannot fill every batch; each runs
   * in its own savepoint, so one that fails (its local step hit a transient error) is left for
   * the next check and the others still advance.
   */
  async processDeadlines(limit = 100): Promise<number> {
    const changes: SagaStateChange[] = [];
    const written: WrittenMessage[] = [];
    const now = Date.now();
    const advanced = await this.outbox.dialect.transaction(async (manager) => {
      const due = await manager.find(SagaInstanceEntity, {
        where: this.registry.all().map((d) => ({
          sagaType: d.name,
          definitionVersion: d.version,
          state: In(['RUNNING', 'COMPENSATING']),
          deadlineAt: LessThanOrEqual(now),
        })),
        order: { deadlineAt: 'ASC' },
        take: limit,
        ...(this.postgres ? { lock: { mode: 'pessimistic_write', onLocked: 'skip_locked' } } : {}),
      });
      let count = 0;
      for (const instance of due) {
        const definition = this.registry.get(instance.sagaType, instance.definitionVersion);
        const before = instance.state;
        try {
          const rows = await manager.transaction(async (savepoint) => {
            const transition = await this.machine(definition).onDeadline(instance, savepoint);
            // A timeout does not know whether its command left the outbox: what it sends goes
            // through the claim, which holds a row until the earlier rows of its saga are sent.
            return this.persist(savepoint, definition, instance, transition, before, 'claim');
          });
          written.push(...rows);
          if (before !== instance.state) changes.push(change(instance, before));
          count += 1;
        } catch (error) {
          this.logger.warn(
            `saga ${instance.id}: deadline not processed, retried at the next check: ${(error as Error).message}`,
          );
        }
      }
      return count;
    });
    this.committed(written);
    this.notify(changes);
    return advanced;
  }

  /** One saga with its step history, oldest entry first. */
  async findById(sagaId: string): Promise<SagaDetailView> {
    const instance = await this.dataSource.manager.findOneBy(SagaInstanceEntity, { id: sagaId });
    if (!instance) throw new SagaNotFoundError(sagaId);
    return {
      ...this.view(instance),
      history: instance.history.map((entry) => ({ ...entry, at: new Date(entry.at) })),
    };
  }

  /** Newest first; without the step histories (`findById` has them). */
  async list(query: SagaListQuery = {}): Promise<SagaView[]> {
    if (query.state !== undefined && !SAGA_STATES.includes(query.state)) {
      throw new SagaPayloadInvalidError('state', `must be one of ${SAGA_STATES.join(', ')}`);
    }
    const rows = await this.dataSource.manager.find(SagaInstanceEntity, {
      select: LISTED_COLUMNS,
      where: {
        ...(query.state ? { state: query.state } : {}),
        ...(query.sagaType ? { sagaType: query.sagaType } : {}),
      },
      order: { createdAt: 'DESC', id: 'ASC' },
      take: Math.min(query.limit ?? 100, 1000),
      skip: query.offset ?? 0,
    });
    return rows.map((row) => this.view(row));
  }

  async countByState(sagaType?: string): Promise<Record<SagaState, number>> {
    const rows: { state: SagaState; count: string }[] = await this.dataSource.manager
      .createQueryBuilder(SagaInstanceEntity, 's')
      .select('s.state', 'state')
      .addSelect('COUNT(*)', 'count')
      .where(sagaType ? 's.sagaType = :sagaType' : '1=1', { sagaType })
      .groupBy('s.state')
      .getRawMany();
    const counts = Object.fromEntries(SAGA_STATES.map((s) => [s, 0])) as Record<SagaState, number>;
    for (const row of rows) counts[row.state] = Number(row.count);
    return counts;
  }

  /** Operator action: run the failed compensation of a FAILED saga again. */
  retry(sagaId: string): Promise<void> {
    return this.operate(sagaId, 'retry', ['FAILED'], (machine, instance, manager) =>
      machine.retryCompensation(instance, manager),
    );
  }

  /**
   * Operator action: a RUNNING saga stops and compensates, the awaited step included (its outcome
   * is unknown), and ends COMPENSATED with `cancelled: <reason>` as its failure reason. A reply to
   * the awaited command that arrives later is ignored.
   */
  async cancel(sagaId: string, reason = 'by an operator'): Promise<void> {
    if (typeof reason !== 'string' || reason.length === 0 || reason.length > MAX_REASON_LENGTH) {
      throw new SagaPayloadInvalidError('reason', `must be 1 to ${MAX_REASON_LENGTH} characters`);
    }
    return this.operate(sagaId, 'cancel', ['RUNNING'], (machine, instance, manager) =>
      machine.cancel(instance, reason, manager),
    );
  }

  /**
   * Operator action on a stuck RUNNING or COMPENSATING saga: the command or compensation it waits
   * for is sent again now with the same message id (a participant that applied it drops the copy)
   * and its timeout restarts, spending no attempt; a saga waiting out a retry backoff retries now.
   */
  resume(sagaId: string): Promise<void> {
    return this.operate(sagaId, 'resume', ['RUNNING', 'COMPENSATING'], (machine, instance, m) =>
      machine.resume(instance, m),
    );
  }

  private async operate(
    sagaId: string,
    action: string,
    allowed: readonly SagaState[],
    apply: (
      machine: SagaStateMachine<unknown>,
      instance: SagaInstanceEntity,
      manager: EntityManager,
    ) => Promise<Transition>,
  ): Promise<void> {
    // What an operator action sends may follow a row still in the outbox: it goes through the claim.
    const found = await this.advance(sagaId, 'claim', asIs, async (instance, definition, m) => {
      if (!allowed.includes(instance.state)) {
        throw new SagaStateError(
          sagaId,
          instance.state,
          `${action} (only ${allowed.join(' or ')} sagas)`,
        );
      }
      return apply(this.machine(definition), instance, m);
    });
    if (!found) throw new SagaNotFoundError(sagaId);
  }

  private async advance(
    sagaId: string,
    route: OutboxRoute,
    unknownVersion: (error: UnknownSagaDefinitionError) => Error,
    apply: (
      instance: SagaInstanceEntity,
      definition: SagaDefinition<unknown>,
      manager: EntityManager,
    ) => Promise<Transition | null>,
  ): Promise<boolean> {
    const changes: SagaStateChange[] = [];
    const written: WrittenMessage[] = [];
    const found = await this.outbox.dialect.transaction(async (manager) => {
      const instance = await this.store.lock(manager, sagaId);
      if (!instance) return false;
      let definition: SagaDefinition<unknown>;
      try {
        definition = this.registry.get(instance.sagaType, instance.definitionVersion);
      } catch (error) {
        throw error instanceof UnknownSagaDefinitionError ? unknownVersion(error) : error;
      }
      const before = instance.state;
      const transition = await apply(instance, definition, manager);
      if (transition) {
        written.push(
          ...(await this.persist(manager, definition, instance, transition, before, route)),
        );
      }
      if (before !== instance.state) changes.push(change(instance, before));
      return true;
    });
    this.committed(written);
    this.notify(changes);
    return found;
  }

  private async persist(
    manager: EntityManager,
    definition: SagaDefinition<unknown>,
    instance: SagaInstanceEntity,
    transition: Transition,
    before: SagaState,
    route: OutboxRoute,
  ): Promise<WrittenMessage[]> {
    instance.updatedAt = Date.now();
    instance.history.push(...transition.history);
    const written = await this.emit(
      manager,
      definition,
      instance,
      transition,
      route,
      this.store.update(instance),
    );
    if (before !== instance.state) {
      const labels = { saga: definition.name };
      if (instance.state === 'COMPLETED') this.metrics.completed.inc(labels);
      if (instance.state === 'COMPENSATED') this.metrics.compensated.inc(labels);
      if (instance.state === 'FAILED') this.metrics.failed.inc(labels);
    }
    return written;
  }

  private async emit(
    manager: EntityManager,
    definition: SagaDefinition<unknown>,
    instance: SagaInstanceEntity,
    transition: Transition,
    route: OutboxRoute,
    /** The instance's own write, sent with the commands. */
    instanceWrite: SqlStatement,
  ): Promise<WrittenMessage[]> {
    for (const step of transition.steps) {
      this.metrics.stepDuration.observe(
        { saga: definition.name, step: step.step, outcome: step.outcome },
        step.durationMs / 1000,
      );
    }
    return this.outbox.write(
      manager,
      transition.commands.map((command) => ({
        topic: command.channel,
        envelope: {
          envelope: SAGA_ENVELOPE_VERSION,
          id: command.messageId,
          kind: 'command',
          type: command.type,
          sagaId: instance.id,
          sagaType: definition.name,
          definitionVersion: definition.version,
          timestamp: Date.now(),
          correlationId: instance.correlationId,
          causationId: null,
          traceparent: instance.traceparent,
          replyTo: this.replyTopic,
          payload: command.payload,
        } satisfies SagaEnvelope,
      })),
      route === 'notify' ? { notify: true } : route === 'eager' ? { leaseMs: this.leaseMs } : {},
      instanceWrite,
    );
  }

  private notify(changes: SagaStateChange[]): void {
    for (const event of changes) {
      for (const listener of this.listeners) {
        try {
          listener(event);
        } catch (error) {
          this.logger.warn(`state change listener threw: ${(error as Error).message}`);
        }
      }
    }
  }

  private machine(definition: SagaDefinition<unknown>): SagaStateMachine<unknown> {
    return new SagaStateMachine(definition, randomUUID);
  }

  private view(instance: SagaInstanceEntity): SagaView {
    const definition = (() => {
      try {
        return this.registry.get(instance.sagaType, instance.definitionVersion);
      } catch {
        return undefined;
      }
    })();
    const terminalOk = instance.state === 'COMPLETED' || instance.state === 'COMPENSATED';
    return {
      id: instance.id,
      sagaType: instance.sagaType,
      definitionVersion: instance.definitionVersion,
      state: instance.state,
      currentStep: terminalOk ? null : (definition?.steps[instance.stepIndex]?.name ?? null),
      attempt: instance.attempt,
      data: instance.data,
      failureReason: instance.failureReason,
      correlationId: instance.correlationId,
      traceparent: instance.traceparent,
      createdAt: new Date(instance.createdAt),
      updatedAt: new Date(instance.updatedAt),
    };
  }
}

/**
 * How a transition's commands leave the outbox: `eager` (leased, published by this process right
 * after commit) only when no earlier row of the saga can still be unsent; `claim` otherwise;
 * `notify` when the caller's transaction commits them.
 */
type OutboxRoute = 'eager' | 'claim' | 'notify';

const MAX_REASON_LENGTH = 1000;

/** Every column but the history, which only `findById` returns. */
const LISTED_COLUMNS = {
  id: true,
  sagaType: true,
  definitionVersion: true,
  state: true,
  stepIndex: true,
  attempt: true,
  data: true,
  awaitingMessageId: true,
  deadlineAt: true,
  stepStartedAt: true,
  failureReason: true,
  correlationId: true,
  traceparent: true,
  createdAt: true,
  updatedAt: true,
} as const;

/** A reply for a version this process does not know waits in the dead-letter topic. */
function asPoison(error: UnknownSagaDefinitionError): Error {
  return new PoisonMessageError('unknown-definition-version', error.message);
}

/** An operator is told which version to register. */
function asIs(error: UnknownSagaDefinitionError): Error {
  return error;
}

function change(instance: SagaInstanceEntity, from: SagaState): SagaStateChange {
  return { sagaId: instance.id, sagaType: instance.sagaType, from, to: instance.state };
}
