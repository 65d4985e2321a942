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
  /** Compensation command; its channel defaults to the step's channel (same partition order). */
  readonly compensate?: Omit<CommandSpec<D>, 'channel'> & { readonly channel?: string };
  readonly timeoutMs?: number;
  readonly retry?: Partial<RetryPolicy>;
}

export interface LocalStepOptions<D> {
  readonly run: LocalStep<D>['run'];
  readonly compensate?: (data: D, manager: EntityManager) => Promise<void> | void;
  readonly retry?: Partial<RetryPolicy>;
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
      },
      timeoutMs: options.timeoutMs ?? SAGA_DEFAULTS.stepTimeoutMs,
      retry: retryPolicy(options.retry),
    });
    return this;
  }

  local(name: string, options: LocalStepOptions<D>): this {
    this.steps.push({
      kind: 'local',
      name,
      run: options.run,
      compensate: options.compensate,
      retry: retryPolicy(options.retry),
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
    if (!Number.isInteger(step.retry.maxAttempts) || step.retry.maxAttempts < 1) {
      throw new SagaDefinitionError(name, `step "${step.name}": retry.maxAttempts must be >= 1`);
    }
    if (!(step.retry.backoffMs >= 0)) {
      throw new SagaDefinitionError(name, `step "${step.name}": retry.backoffMs must be >= 0`);
    }
    if (step.kind === 'remote') {
      if (!(step.timeoutMs > 0)) {
        throw new SagaDefinitionError(name, `step "${step.name}": timeoutMs must be > 0`);
      }
      if (!step.invoke.channel || !step.invoke.command) {
        throw new SagaDefinitionError(
          name,
          `step "${step.name}": channel and command are required`,
        );
      }
    }
  }
}
