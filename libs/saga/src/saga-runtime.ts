import { setTimeout as pause } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SagaDefinitionRegistry } from './core/saga-definition.registry';
import { decodeEnvelope } from './core/saga-envelope';
import { SqlDialect } from './core/sql-dialect';
import { PoisonMessageError } from './errors/poison-message.error';
import { SagaOptionsError } from './errors/saga-options.error';
import { Inbox } from './inbox/inbox';
import type { SagaCommandHandlerRegistration } from './interfaces/saga-command-handler.interface';
import type { SagaModuleOptions } from './interfaces/saga-module-options.interface';
import { sagaMetrics, type SagaMetrics } from './metrics/saga-metrics';
import { SagaOrchestrator } from './orchestrator/saga-orchestrator';
import { Outbox } from './outbox/outbox';
import { OutboxRelay } from './outbox/outbox-relay';
import { SagaDeadLetters } from './outbox/saga-dead-letters';
import { ParticipantDispatcher } from './participant/participant-dispatcher';
import { SagaReplier } from './participant/saga-replier';
import { RetentionCleaner } from './retention/retention-cleaner';
import { SAGA_DEFAULTS } from './saga.constants';
import { SAGA_ENTITIES } from './saga.entities';
import { KafkaSagaTransport } from './transport/kafka/kafka-saga.transport';
import { MemorySagaTransport } from './transport/memory/memory-saga.transport';
import { SagaDeadLetterTopics } from './transport/saga-dead-letter-topics';
import {
  deadLetterTopic,
  type IncomingMessage,
  type SagaTransport,
} from './transport/saga-transport';

/**
 * Everything one service needs to orchestrate and take part in sagas, without Nest: the Nest
 * module is a thin lifecycle binding over this (scripts and child processes use it directly).
 */
export class SagaRuntime {
  private readonly logger = new Logger(SagaRuntime.name);
  readonly orchestrator: SagaOrchestrator;
  readonly relay: OutboxRelay;
  /** Operator commands on outbox rows the broker kept refusing. */
  readonly deadLetters: SagaDeadLetters;
  /** Operator commands on the poison messages in `<topic>.dlq` of the topics consumed here. */
  readonly deadLetterTopics: SagaDeadLetterTopics;
  readonly retention: RetentionCleaner;
  readonly transport: SagaTransport;
  readonly metrics: SagaMetrics;
  /** Answers commands whose handler returned `deferReply()`. */
  readonly replier: SagaReplier;
  private readonly registry: SagaDefinitionRegistry;
  private readonly participants: ParticipantDispatcher;
  private readonly replyTopic: string;
  private timers: NodeJS.Timeout[] = [];
  private deadlineRun?: Promise<unknown>;
  private started = false;
  /** Aborted by stopIntake(): cuts short the in-process retries of a transient error. */
  private intake = new AbortController();
  consuming = false;

  constructor(private readonly options: SagaModuleOptions) {
    validateSagaOptions(options);
    const { dataSource } = options;
    this.metrics = sagaMetrics();
    this.transport = resolveTransport(options.transport);
    this.registry = new SagaDefinitionRegistry(options.definitions ?? []);
    this.replyTopic = options.replyTopic ?? `${options.serviceName}.saga-replies`;
    const outbox = new Outbox(dataSource);
    const leaseMs = options.relay?.leaseMs ?? SAGA_DEFAULTS.outboxLeaseMs;
    this.relay = new OutboxRelay(
      dataSource,
      outbox,
      this.transport,
      {
        batchSize: options.relay?.batchSize ?? SAGA_DEFAULTS.relayBatchSize,
        pollIntervalMs: options.relay?.pollIntervalMs ?? SAGA_DEFAULTS.relayPollIntervalMs,
        errorBackoffMs: options.relay?.errorBackoffMs ?? SAGA_DEFAULTS.relayErrorBackoffMs,
        maxAttempts: options.relay?.maxAttempts ?? SAGA_DEFAULTS.relayMaxAttempts,
        listen: options.relay?.listen ?? true,
        leaseMs,
      },
      this.metrics,
    );
    this.deadLetters = new SagaDeadLetters(dataSource, outbox, () => this.relay.kick());
    this.deadLetterTopics = new SagaDeadLetterTopics(this.transport, () =>
      this.consumedTopics.map(deadLetterTopic),
    );
    this.orchestrator = new SagaOrchestrator(
      dataSource,
      this.registry,
      outbox,
      this.replyTopic,
      this.metrics,
      (written) => this.relay.committed(written),
      leaseMs,
    );
    this.participants = new ParticipantDispatcher(
      dataSource,
      outbox,
      new Inbox(new SqlDialect(dataSource), options.serviceName),
      leaseMs,
      options.retention?.inboxMs ?? SAGA_DEFAULTS.inboxRetentionMs,
    );
    this.replier = new SagaReplier(outbox);
    this.retention = new RetentionCleaner(dataSource, {
      intervalMs: options.retention?.intervalMs ?? SAGA_DEFAULTS.retentionIntervalMs,
      sentOutboxMs: options.retention?.sentOutboxMs ?? SAGA_DEFAULTS.sentOutboxRetentionMs,
      inboxMs: options.retention?.inboxMs ?? SAGA_DEFAULTS.inboxRetentionMs,
      terminalSagasMs: options.retention?.terminalSagasMs,
    });
  }

  /** Participant handlers must be registered before `start()`. */
  registerHandler(registration: SagaCommandHandlerRegistration): void {
    if (this.started) throw new SagaOptionsError('handlers', 'must be registered before start()');
    this.participants.register(registration);
  }

  get isStarted(): boolean {
    return this.started;
  }

  get maxOutboxLagMs(): number {
    return this.options.maxOutboxLagMs ?? SAGA_DEFAULTS.healthMaxOutboxLagMs;
  }

  /** Topics this service consumes: its reply topic if it orchestrates, its command channels. */
  get consumedTopics(): string[] {
    const topics = this.participants.channels;
    if (this.registry.size > 0) topics.push(this.replyTopic);
    return [...new Set(topics)];
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.intake = new AbortController();
    const consumed = this.consumedTopics;
    const commandChannels = this.registry
      .all()
      .flatMap((d) => d.steps.flatMap((s) => (s.kind === 'remote' ? [s.invoke.channel] : [])));
    await this.transport.connect([
      ...consumed,
      ...consumed.map(deadLetterTopic),
      ...commandChannels,
    ]);
    await this.relay.start();
    if (consumed.length > 0) {
      await this.transport.consume(this.options.serviceName, consumed, (m) => this.dispatch(m));
      this.consuming = true;
    }
    if (this.registry.size > 0) {
      const every = this.options.timeoutCheckIntervalMs ?? SAGA_DEFAULTS.timeoutCheckIntervalMs;
      this.timers.push(setInterval(() => this.fireDeadlines(), every));
    }
    this.timers.push(
      setInterval(
        () =>
          void this.retention
            .clean()
            .catch((e: Error) => this.logger.warn(`retention cleanup failed: ${e.message}`)),
        this.options.retention?.intervalMs ?? SAGA_DEFAULTS.retentionIntervalMs,
      ),
    );
  }

  /** Drain phase: stop consuming (offsets committed), the relay and the timers. */
  async stopIntake(): Promise<void> {
    this.timers.forEach(clearInterval);
    this.timers = [];
    this.consuming = false;
    this.intake.abort();
    await this.transport.stopConsuming();
    await this.deadlineRun;
    await this.relay.stop();
  }

  /** Close phase: the relay's LISTEN connection and the producer. The DataSource stays open. */
  async close(): Promise<void> {
    await this.stopIntake();
    await this.relay.close();
    await this.transport.close();
    this.started = false;
  }

  private fireDeadlines(): void {
    if (this.deadlineRun) return;
    this.deadlineRun = (async () => {
      // A full batch means more may be due; stopIntake() ends the loop between batches.
      while (
        !this.intake.signal.aborted &&
        (await this.orchestrator.processDeadlines(100)) === 100
      );
    })()
      .catch((e: Error) => this.logger.warn(`deadline check failed: ${e.message}`))
      .finally(() => (this.deadlineRun = undefined));
  }

  /**
   * Poison goes to the dead-letter topic. Any other error is transient (the database is down, a
   * deadlock, a serialization failure): the message is handled again here, with exponential
   * backoff and heartbeats going on, so the consumer neither restarts nor rebalances. Only when
   * intake stops is it left unacknowledged, for the next consumer.
   */
  private async dispatch(message: IncomingMessage): Promise<void> {
    const { initialBackoffMs, maxBackoffMs } = this.transientRetry;
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.handle(message);
        return;
      } catch (error) {
        if (error instanceof PoisonMessageError || this.intake.signal.aborted) throw error;
        this.metrics.transientRetries.inc({ topic: message.topic });
        // 1st, 2nd, 4th, 8th... failure: visible without a line per retry.
        if ((attempt & (attempt - 1)) === 0) {
          this.logger.warn(
            `handling ${message.topic}[${message.partition}]@${message.offset} failed ` +
              `(attempt ${attempt}), retrying: ${(error as Error).message}`,
          );
        }
        const backoff = Math.min(initialBackoffMs * 2 ** (attempt - 1), maxBackoffMs);
        const stopped = await pause(backoff, true, { signal: this.intake.signal }).catch(
          () => false,
        );
        if (!stopped) throw error;
      }
    }
  }

  private get transientRetry() {
    return {
      initialBackoffMs:
        this.options.transientRetry?.initialBackoffMs ?? SAGA_DEFAULTS.transientInitialBackoffMs,
      maxBackoffMs:
        this.options.transientRetry?.maxBackoffMs ?? SAGA_DEFAULTS.transientMaxBackoffMs,
    };
  }

  private async handle(message: IncomingMessage): Promise<void> {
    try {
      const envelope = decodeEnvelope(message.value);
      if (envelope.kind === 'reply') {
        if (this.registry.size === 0 || message.topic !== this.replyTopic) {
          throw new PoisonMessageError('unexpected-kind', `reply on ${message.topic}`);
        }
        await this.orchestrator.handleReply(envelope);
        return;
      }
      this.relay.committed(await this.participants.dispatch(envelope));
    } catch (error) {
      if (error instanceof PoisonMessageError) {
        this.metrics.deadLettered.inc({ topic: message.topic, reason: error.reason });
      }
      throw error;
    }
  }
}

function resolveTransport(option: SagaModuleOptions['transport']): SagaTransport {
  if ('publish' in option) return option;
  if (option.type === 'memory') return new MemorySagaTransport(option.broker);
  return new KafkaSagaTransport(option);
}

export function validateSagaOptions(options: SagaModuleOptions): void {
  if (!options || typeof options !== 'object') {
    throw new SagaOptionsError('options', 'must be an object');
  }
  const { dataSource, serviceName, transport } = options;
  if (!(dataSource instanceof DataSource)) {
    throw new SagaOptionsError('dataSource', 'must be a TypeORM DataSource');
  }
  if (!dataSource.isInitialized) {
    throw new SagaOptionsError(
      'dataSource',
      'must be initialized (pass the one your database module provides)',
    );
  }
  const type = dataSource.options.type;
  if (type !== 'postgres' && type !== 'better-sqlite3') {
    throw new SagaOptionsError(
      'dataSource',
      `type "${type}" is not supported (postgres, better-sqlite3)`,
    );
  }
  for (const entity of SAGA_ENTITIES) {
    if (!dataSource.hasMetadata(entity)) {
      throw new SagaOptionsError(
        'dataSource',
        `has no metadata for ${entity.name}: add SAGA_ENTITIES to the DataSource "entities"`,
      );
    }
  }
  if (typeof serviceName !== 'string' || !/^[\w.-]{1,200}$/.test(serviceName)) {
    throw new SagaOptionsError('serviceName', 'must be a non-empty string of [A-Za-z0-9._-]');
  }
  if (!transport || typeof transport !== 'object') {
    throw new SagaOptionsError(
      'transport',
      "must be { type: 'kafka', brokers } or { type: 'memory' }",
    );
  }
  if (!('publish' in transport)) {
    if (transport.type === 'kafka') {
      if (!Array.isArray(transport.brokers) || transport.brokers.length === 0) {
        throw new SagaOptionsError('transport.brokers', 'must list at least one host:port');
      }
    } else if (transport.type !== 'memory') {
      throw new SagaOptionsError('transport.type', "must be 'kafka' or 'memory'");
    }
  }
  if (options.replyTopic !== undefined && !/^[\w.-]{1,249}$/.test(options.replyTopic)) {
    throw new SagaOptionsError('replyTopic', 'must be a Kafka topic name ([A-Za-z0-9._-], <= 249)');
  }
  positive(options.timeoutCheckIntervalMs, 'timeoutCheckIntervalMs');
  positive(options.maxOutboxLagMs, 'maxOutboxLagMs');
  positive(options.relay?.batchSize, 'relay.batchSize');
  positive(options.relay?.pollIntervalMs, 'relay.pollIntervalMs');
  positive(options.relay?.errorBackoffMs, 'relay.errorBackoffMs');
  positive(options.relay?.leaseMs, 'relay.leaseMs');
  positive(options.relay?.maxAttempts, 'relay.maxAttempts');
  positive(options.transientRetry?.initialBackoffMs, 'transientRetry.initialBackoffMs');
  positive(options.transientRetry?.maxBackoffMs, 'transientRetry.maxBackoffMs');
  positive(options.retention?.intervalMs, 'retention.intervalMs');
  positive(options.retention?.sentOutboxMs, 'retention.sentOutboxMs');
  positive(options.retention?.inboxMs, 'retention.inboxMs');
  positive(options.retention?.terminalSagasMs, 'retention.terminalSagasMs');
  if (options.definitions !== undefined && !Array.isArray(options.definitions)) {
    throw new SagaOptionsError('definitions', 'must be an array of defineSaga(...).build()');
  }
  try {
    new SagaDefinitionRegistry(options.definitions ?? []);
  } catch (error) {
    throw new SagaOptionsError('definitions', `is invalid: ${(error as Error).message}`);
  }
}

function positive(value: number | undefined, key: string): void {
  if (value !== undefined && !(Number.isFinite(value) && value > 0)) {
    throw new SagaOptionsError(key, `must be a positive number, got ${String(value)}`);
  }
}
