import type { EntityManager } from 'typeorm';
import type { CommandSpec, RemoteStep, SagaDefinition, SagaStep } from './saga-definition';
import { SagaUserFunctionError } from '../errors/saga-user-function.error';
import { isRejection, rejectionRetryable } from './rejection';
import type { SagaReplyError } from './saga-envelope';
import type { SagaHistoryRecord } from './saga-history';
import type { SagaState } from './saga-state';

/** The persisted fields the state machine reads and writes. */
export interface SagaInstanceRecord {
  id: string;
  state: SagaState;
  stepIndex: number;
  attempt: number;
  data: unknown;
  awaitingMessageId: string | null;
  deadlineAt: number | null;
  stepStartedAt: number;
  failureReason: string | null;
}

export interface IssuedCommand {
  readonly messageId: string;
  readonly channel: string;
  readonly type: string;
  readonly payload: unknown;
}

export type StepOutcome = 'success' | 'failure' | 'timeout' | 'compensated';

export interface StepObservation {
  readonly step: string;
  readonly outcome: StepOutcome;
  readonly durationMs: number;
}

/**
 * Side effects of one transition: the caller writes the commands to the outbox and appends the
 * history entries to the instance, in its transaction.
 */
export interface Transition {
  readonly commands: IssuedCommand[];
  readonly steps: StepObservation[];
  readonly history: SagaHistoryRecord[];
}

export interface ReplyInput {
  readonly outcome: 'success' | 'failure';
  readonly payload: unknown;
  readonly error?: SagaReplyError;
}

/**
 * Advances one instance; mutates the record in place and returns what to send. Pure apart from the
 * local steps, which get the caller's EntityManager so their writes share the transaction.
 */
export class SagaStateMachine<D> {
  constructor(
    private readonly definition: SagaDefinition<D>,
    private readonly newId: () => string,
    private readonly now: () => number = Date.now,
  ) {}

  async start(instance: SagaInstanceRecord, manager: EntityManager): Promise<Transition> {
    return this.guarded(instance, async (t) => {
      instance.state = 'RUNNING';
      instance.stepIndex = 0;
      await this.forward(instance, manager, t);
    });
  }

  /** Caller guarantees `reply` answers `instance.awaitingMessageId`. */
  onReply(
    instance: SagaInstanceRecord,
    reply: ReplyInput,
    manager: EntityManager,
  ): Promise<Transition> {
    return this.guarded(instance, (t) => this.applyReply(instance, reply, manager, t));
  }

  private async applyReply(
    instance: SagaInstanceRecord,
    reply: ReplyInput,
    manager: EntityManager,
    t: Transition,
  ): Promise<void> {
    const step = this.step(instance) as RemoteStep<D>;
    const elapsed = this.now() - instance.stepStartedAt;
    this.record(t, 'reply-received', step.name, {
      attempt: instance.attempt,
      messageId: instance.awaitingMessageId ?? undefined,
      outcome: reply.outcome,
      detail: reply.outcome === 'failure' ? failureText(reply) : undefined,
    });
    instance.awaitingMessageId = null;
    instance.deadlineAt = null;
    if (instance.state === 'RUNNING') {
      if (reply.outcome === 'success') {
        t.steps.push({ step: step.name, outcome: 'success', durationMs: elapsed });
        if (step.onReply) {
          const fold = step.onReply;
          instance.data = userFunction(`step "${step.name}"`, 'onReply', () =>
            fold(instance.data as D, reply.payload),
          );
        }
        instance.stepIndex += 1;
        await this.forward(instance, manager, t);
        return;
      }
      t.steps.push({ step: step.name, outcome: 'failure', durationMs: elapsed });
      const reason = failureText(reply);
      if (reply.error?.retryable && instance.attempt < step.retry.maxAttempts) {
        this.scheduleRetry(instance, step.retry.backoffMs, t);
        return;
      }
      // A failure reply means the participant rolled its work back: undo only earlier steps.
      instance.stepIndex -= 1;
      await this.beginCompensation(instance, `step "${step.name}" failed: ${reason}`, manager, t);
      return;
    }
    if (instance.state === 'COMPENSATING') {
      if (reply.outcome === 'success') {
        t.steps.push({ step: step.name, outcome: 'compensated', durationMs: elapsed });
        instance.stepIndex -= 1;
        await this.backward(instance, manager, t);
        return;
      }
      const reason = failureText(reply);
      if (reply.error?.retryable && instance.attempt < step.compensationRetry.maxAttempts) {
        this.scheduleRetry(instance, step.compensationRetry.backoffMs, t);
        return;
      }
      this.park(instance, `compensation of step "${step.name}" failed: ${reason}`, t);
    }
  }

  /** The deadline passed: either a command timed out or a backed-off retry is due. */
  onDeadline(instance: SagaInstanceRecord, manager: EntityManager): Promise<Transition> {
    return this.guarded(instance, (t) => this.applyDeadline(instance, manager, t));
  }

  private async applyDeadline(
    instance: SagaInstanceRecord,
    manager: EntityManager,
    t: Transition,
  ): Promise<void> {
    const step = this.step(instance);
    if (instance.awaitingMessageId === null) {
      await this.runRetry(instance, manager, t);
      return;
    }
    const remote = step as RemoteStep<D>;
    const policy = instance.state === 'RUNNING' ? remote.retry : remote.compensationRetry;
    this.record(t, 'timed-out', remote.name, {
      attempt: instance.attempt,
      messageId: instance.awaitingMessageId,
    });
    if (instance.attempt < policy.maxAttempts) {
      instance.attempt += 1;
      this.resend(instance, remote, t);
      return;
    }
    t.steps.push({
      step: remote.name,
      outcome: 'timeout',
      durationMs: this.now() - instance.stepStartedAt,
    });
    instance.awaitingMessageId = null;
    instance.deadlineAt = null;
    if (instance.state === 'RUNNING') {
      // Unknown outcome: the timed-out step may have applied, so it is compensated too.
      await this.beginCompensation(
        instance,
        `step "${remote.name}" timed out after ${remote.timeoutMs} ms`,
        manager,
        t,
      );
    } else {
      this.park(instance, `compensation of step "${remote.name}" timed out`, t);
    }
    return;
  }

  /**
   * Sends the awaited command (or compensation) again with its message id, so the participant's
   * inbox drops it if the first copy was applied, and restarts its timeout.
   */
  private resend(instance: SagaInstanceRecord, step: RemoteStep<D>, t: Transition): void {
    const running = instance.state === 'RUNNING';
    const spec = (running ? step.invoke : step.compensation) as CommandSpec<D>;
    const timeoutMs = running ? step.timeoutMs : (step.compensation?.timeoutMs ?? 0);
    instance.deadlineAt = this.now() + timeoutMs;
    this.issue(instance, spec, instance.awaitingMessageId as string, step.name, t);
  }

  /** Operator action on a FAILED saga: run the failed compensation again, then the rest. */
  retryCompensation(instance: SagaInstanceRecord, manager: EntityManager): Promise<Transition> {
    return this.guarded(instance, async (t) => {
      this.record(t, 'retried', this.step(instance)?.name ?? null, {});
      instance.state = 'COMPENSATING';
      await this.backward(instance, manager, t, true);
    });
  }

  /**
   * Operator action on a RUNNING saga: stop going forward and compensate. A command still awaited
   * has an unknown outcome, as after a timeout, so its step is compensated too; a step waiting for
   * a backed-off retry was refused (rolled back), so only the steps before it are.
   */
  cancel(
    instance: SagaInstanceRecord,
    reason: string,
    manager: EntityManager,
  ): Promise<Transition> {
    return this.guarded(instance, async (t) => {
      this.record(t, 'cancelled', this.step(instance).name, { detail: reason });
      if (instance.awaitingMessageId === null) instance.stepIndex -= 1;
      instance.awaitingMessageId = null;
      instance.deadlineAt = null;
      await this.beginCompensation(instance, `cancelled: ${reason}`, manager, t);
    });
  }

  /**
   * Operator action on a RUNNING or COMPENSATING saga that waits for an answer that will not come
   * (a lost command, a timeout sized for a backlog that is gone): the awaited command or
   * compensation is sent again now with its message id and its timeout restarts, spending no
   * attempt; a backed-off retry runs now.
   */
  resume(instance: SagaInstanceRecord, manager: EntityManager): Promise<Transition> {
    return this.guarded(instance, async (t) => {
      const step = this.step(instance);
      this.record(t, 'resumed', step.name, { attempt: instance.attempt });
      if (instance.awaitingMessageId !== null) this.resend(instance, step as RemoteStep<D>, t);
      else await this.runRetry(instance, manager, t);
    });
  }

  /** A backed-off retry: a new message id, because the previous attempt was answered. */
  private async runRetry(
    instance: SagaInstanceRecord,
    manager: EntityManager,
    t: Transition,
  ): Promise<void> {
    if (instance.state === 'RUNNING') await this.forward(instance, manager, t, true);
    else await this.backward(instance, manager, t, true);
  }

  /** Runs a transition; a definition function that throws parks the saga FAILED, sending nothing. */
  private async guarded(
    instance: SagaInstanceRecord,
    transition: (t: Transition) => Promise<void>,
  ): Promise<Transition> {
    const t = emptyTransition();
    try {
      await transition(t);
    } catch (error) {
      if (!(error instanceof SagaUserFunctionError)) throw error;
      t.commands.length = 0;
      this.park(instance, error.message, t);
    }
    return t;
  }

  private async forward(
    instance: SagaInstanceRecord,
    manager: EntityManager,
    t: Transition,
    retrying = false,
  ): Promise<void> {
    let attempt = retrying ? instance.attempt + 1 : 1;
    while (instance.stepIndex < this.definition.steps.length) {
      const step = this.definition.steps[instance.stepIndex] as SagaStep<D>;
      instance.stepStartedAt = this.now();
      instance.attempt = attempt;
      if (step.kind === 'remote') {
        this.send(instance, step.invoke, step.timeoutMs, t, step.name);
        return;
      }
      try {
        const next = await manager.transaction(async (m) => step.run(instance.data as D, m));
        if (next !== undefined) instance.data = next;
        t.steps.push({ step: step.name, outcome: 'success', durationMs: 0 });
        this.record(t, 'local-step-ran', step.name, { attempt, outcome: 'success' });
        instance.stepIndex += 1;
        attempt = 1;
      } catch (error) {
        if (!isRejection(error, step.rejects)) throw error;
        t.steps.push({ step: step.name, outcome: 'failure', durationMs: 0 });
        this.record(t, 'local-step-ran', step.name, {
          attempt,
          outcome: 'failure',
          detail: (error as Error).message,
        });
        if (rejectionRetryable(error) && attempt < step.retry.maxAttempts) {
          this.scheduleRetry(instance, step.retry.backoffMs, t);
          return;
        }
        instance.stepIndex -= 1;
        const reason = `step "${step.name}" failed: ${(error as Error).message}`;
        await this.beginCompensation(instance, reason, manager, t);
        return;
      }
    }
    this.finish(instance, 'COMPLETED', null, t);
  }

  private async beginCompensation(
    instance: SagaInstanceRecord,
    reason: string,
    manager: EntityManager,
    t: Transition,
  ): Promise<void> {
    instance.state = 'COMPENSATING';
    instance.failureReason = reason;
    await this.backward(instance, manager, t);
  }

  private async backward(
    instance: SagaInstanceRecord,
    manager: EntityManager,
    t: Transition,
    retrying = false,
  ): Promise<void> {
    let attempt = retrying ? instance.attempt + 1 : 1;
    while (instance.stepIndex >= 0) {
      const step = this.definition.steps[instance.stepIndex] as SagaStep<D>;
      instance.stepStartedAt = this.now();
      instance.attempt = attempt;
      if (step.kind === 'remote') {
        if (step.compensation) {
          this.send(instance, step.compensation, step.compensation.timeoutMs, t, step.name);
          return;
        }
      } else if (step.compensate) {
        const compensate = step.compensate;
        try {
          await manager.transaction(async (m) => compensate(instance.data as D, m));
        } catch (error) {
          const message = (error as Error).message;
          this.record(t, 'local-compensation-ran', step.name, {
            attempt,
            outcome: 'failure',
            detail: message,
          });
          if (attempt < step.compensationRetry.maxAttempts) {
            this.scheduleRetry(instance, step.compensationRetry.backoffMs, t);
            return;
          }
          this.park(instance, `compensation of step "${step.name}" failed: ${message}`, t);
          return;
        }
        t.steps.push({ step: step.name, outcome: 'compensated', durationMs: 0 });
        this.record(t, 'local-compensation-ran', step.name, { attempt, outcome: 'success' });
      }
      instance.stepIndex -= 1;
      attempt = 1;
    }
    this.finish(instance, 'COMPENSATED', instance.failureReason, t);
  }

  private send(
    instance: SagaInstanceRecord,
    spec: CommandSpec<D>,
    timeoutMs: number,
    t: Transition,
    stepName: string,
  ): void {
    const messageId = this.newId();
    instance.awaitingMessageId = messageId;
    instance.deadlineAt = this.now() + timeoutMs;
    this.issue(instance, spec, messageId, stepName, t);
  }

  private issue(
    instance: SagaInstanceRecord,
    spec: CommandSpec<D>,
    messageId: string,
    stepName: string,
    t: Transition,
  ): void {
    t.commands.push(this.command(spec, instance, messageId, stepName));
    const type = instance.state === 'COMPENSATING' ? 'compensation-sent' : 'command-sent';
    this.record(t, type, stepName, { attempt: instance.attempt, messageId, command: spec.command });
  }

  private command(
    spec: CommandSpec<D>,
    instance: SagaInstanceRecord,
    id: string,
    stepName: string,
  ): IssuedCommand {
    const compensating = instance.state === 'COMPENSATING';
    const where = `${compensating ? 'compensation of ' : ''}step "${stepName}"`;
    return {
      messageId: id,
      channel: spec.channel,
      type: spec.command,
      payload: userFunction(where, 'payload', () => spec.payload(instance.data as D)),
    };
  }

  private scheduleRetry(instance: SagaInstanceRecord, backoffMs: number, t: Transition): void {
    instance.awaitingMessageId = null;
    instance.deadlineAt = this.now() + backoffMs;
    this.record(t, 'retry-scheduled', this.step(instance).name, {
      attempt: instance.attempt,
      detail: `after ${backoffMs} ms`,
    });
  }

  private park(instance: SagaInstanceRecord, reason: string, t: Transition): void {
    this.finish(instance, 'FAILED', reason, t);
  }

  private finish(
    instance: SagaInstanceRecord,
    state: SagaState,
    reason: string | null,
    t: Transition,
  ): void {
    instance.state = state;
    instance.failureReason = reason;
    instance.awaitingMessageId = null;
    instance.deadlineAt = null;
    const type =
      state === 'COMPLETED' ? 'completed' : state === 'FAILED' ? 'failed' : 'compensated';
    this.record(t, type, null, reason === null ? {} : { detail: reason });
  }

  private record(
    t: Transition,
    type: SagaHistoryRecord['type'],
    step: string | null,
    fields: Omit<SagaHistoryRecord, 'at' | 'type' | 'step'>,
  ): void {
    t.history.push({ at: this.now(), type, step, ...fields });
  }

  private step(instance: SagaInstanceRecord): SagaStep<D> {
    return this.definition.steps[instance.stepIndex] as SagaStep<D>;
  }
}

function userFunction<T>(where: string, fn: string, call: () => T): T {
  try {
    return call();
  } catch (error) {
    throw new SagaUserFunctionError(where, fn, error);
  }
}

function emptyTransition(): Transition {
  return { commands: [], steps: [], history: [] };
}

/** What the history and the failure reason say of a failure reply. */
function failureText(reply: ReplyInput): string {
  return reply.error?.message ?? 'participant replied failure';
}
