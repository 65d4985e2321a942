import type { EntityManager } from 'typeorm';
import { SAGA_DEFAULTS } from '../saga.constants';
import { SagaDefinitionError } from '../errors/saga-definition.error';
import type { PayloadSchema } from './payload-schema';
import type {
  CommandSpec,
  LocalStep,
  RetryPolicy,
  SagaDefinition,
  SagaStep,
} from './saga-definition';

export interface RemoteStepOptions<D> extends CommandSpec<D> {
  readonly onReply?: (data: D, reply: unknown) => D;
  readonly replySchema?: PayloadSchema<unknown>;
  /**
   * Compensation command, sent on the step's own channel: same topic and key as the command, so
   * Kafka delivers it after the command. `channel`, if given, must be that channel (another topic
   * could not keep the order): `build()` refuses anything else.
   */
  readonly compensate?: CompensationOptions<D>;
  readonly timeoutMs?: number;
  readonly retry?: Partial<RetryPolicy>;
}

export interface CompensationOptions<D> extends Omit<CommandSpec<D>, 'channel'> {
  readonly channel?: string;
  /** Default: the step's `timeoutMs`. */
  readonly timeoutMs?: number;
  /** Default: 5 attempts, 1000 ms apart: an undo that cannot run leaves the saga FAILED. */
  readonly retry?: Partial<RetryPolicy>;
}

export interface LocalStepOptions<D> {
  readonly run: LocalStep<D>['run'];
  /** Error classes that refuse the step (compensation), besides SagaCommandRejectedError. */
  readonly rejects?: LocalStep<D>['rejects'];
  readonly compensate?: (data: D, manager: EntityManager) => Promise<void> | void;
  readonly retry?: Partial<RetryPolicy>;
  /** Default: 5 attempts, 1000 ms apart. */
  readonly compensationRetry?: Partial<RetryPolicy>;
}

/** Typed builder: `defineSaga<Order>('order', 2).remote(...).local(...).build()`. */
export class SagaDefinitionBuilder<D> {
  private readonly steps: SagaStep<D>[] = [];
  private schema?: PayloadSchema<D>;

  constructor(
    private readonly name: string,
    private readonly version: number,
  ) {}

  data(schema: PayloadSchema<D>): this {
    this.schema = schema;
    return this;
  }

  remote(name: string, options: RemoteStepOptions<D>): this {
    const { compensate } = options;
    const timeoutMs = options.timeoutMs ?? SAGA_DEFAULTS.stepTimeoutMs;
    this.steps.push({
      kind: 'remote',
      name,
      invoke: { channel: options.channel, command: options.command, payload: options.payload },
      onReply: options.onReply,
      replySchema: options.replySchema,
      compensation: compensate && {
        channel: compensate.channel ?? options.channel,
        command: compensate.command,
        payload: compensate.payload,
        timeoutMs: compensate.timeoutMs ?? timeoutMs,
      },
      timeoutMs,
      retry: retryPolicy(options.retry),
      compensationRetry: compensationPolicy(compensate?.retry),
    });
    return this;
  }

  local(name: string, options: LocalStepOptions<D>): this {
    this.steps.push({
      kind: 'local',
      name,
      run: options.run,
      rejects: options.rejects,
      compensate: options.compensate,
      retry: retryPolicy(options.retry),
      compensationRetry: compensationPolicy(options.compensationRetry),
    });
    return this;
  }

  build(): SagaDefinition<D> {
    const definition: SagaDefinition<D> = {
      name: this.name,
      version: this.version,
      steps: [...this.steps],
      dataSchema: this.schema,
    };
    assertValidDefinition(definition);
    return definition;
  }
}

export function defineSaga<D>(name: string, version: number): SagaDefinitionBuilder<D> {
  return new SagaDefinitionBuilder<D>(name, version);
}

function retryPolicy(partial: Partial<RetryPolicy> | undefined): RetryPolicy {
  return {
    maxAttempts: partial?.maxAttempts ?? SAGA_DEFAULTS.retryMaxAttempts,
    backoffMs: partial?.backoffMs ?? SAGA_DEFAULTS.retryBackoffMs,
  };
}

function compensationPolicy(partial: Partial<RetryPolicy> | undefined): RetryPolicy {
  return {
    maxAttempts: partial?.maxAttempts ?? SAGA_DEFAULTS.compensationMaxAttempts,
    backoffMs: partial?.backoffMs ?? SAGA_DEFAULTS.compensationBackoffMs,
  };
}

export function assertValidDefinition<D>(definition: SagaDefinition<D>): void {
  const { name, version, steps } = definition;
  if (typeof name !== 'string' || !/^[\w.-]+$/.test(name)) {
    throw new SagaDefinitionError(String(name), 'name must match /^[\\w.-]+$/');
  }
  if (!Number.isInteger(version) || version < 1) {
    throw new SagaDefinitionError(name, `version must be an integer >= 1, got ${version}`);
  }
  if (steps.length === 0) throw new SagaDefinitionError(name, 'needs at least one step');
  const seen = new Set<string>();
  for (const step of steps) {
    if (seen.has(step.name)) throw new SagaDefinitionError(name, `duplicate step "${step.name}"`);
    seen.add(step.name);
    for (const [key, policy] of [
      ['retry', step.retry],
      [step.kind === 'remote' ? 'compensate.retry' : 'compensationRetry', step.compensationRetry],
    ] as const) {
      if (!Number.isInteger(policy?.maxAttempts) || policy.maxAttempts < 1) {
        throw new SagaDefinitionError(name, `step "${step.name}": ${key}.maxAttempts must be >= 1`);
      }
      if (!(policy.backoffMs >= 0)) {
        throw new SagaDefinitionError(name, `step "${step.name}": ${key}.backoffMs must be >= 0`);
      }
    }
    if (step.kind === 'remote') {
      if (!(step.timeoutMs > 0)) {
        throw new SagaDefinitionError(name, `step "${step.name}": timeoutMs must be > 0`);
      }
      if (step.compensation && !(step.compensation.timeoutMs > 0)) {
        throw new SagaDefinitionError(
          name,
          `step "${step.name}": compensate.timeoutMs must be > 0`,
        );
      }
      if (!step.invoke.channel || !step.invoke.command) {
        throw new SagaDefinitionError(
          name,
          `step "${step.name}": channel and command are required`,
        );
      }
      if (step.compensation && step.compensation.channel !== step.invoke.channel) {
        throw new SagaDefinitionError(
          name,
          `step "${step.name}": the compensation must use the step's channel "${step.invoke.channel}"` +
            ` (on "${step.compensation.channel}" it could overtake the command it undoes)`,
        );
      }
    }
  }
}
