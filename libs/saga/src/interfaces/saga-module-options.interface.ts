import type { DataSource } from 'typeorm';
import type { SagaDefinition } from '../core/saga-definition';
import type { OutboxRelayOptions } from '../outbox/outbox-relay';
import type { RetentionOptions } from '../retention/retention-cleaner';
import type { KafkaSagaTransportOptions } from '../transport/kafka/kafka-transport-options.interface';
import type { MemoryBroker } from '../transport/memory/memory-broker';
import type { SagaTransport } from '../transport/saga-transport';

export type SagaTransportOption =
  | ({ readonly type: 'kafka' } & KafkaSagaTransportOptions)
  | { readonly type: 'memory'; readonly broker?: MemoryBroker }
  | SagaTransport;

export interface SagaModuleOptions {
  /**
   * The service's own DataSource (e.g. the one @herd/database gives), with `SAGA_ENTITIES` among
   * its entities. The saga lib never closes it: its owner does.
   */
  readonly dataSource: DataSource;
  /** Kafka consumer group and inbox name of this service, e.g. `codec`. */
  readonly serviceName: string;
  /** `{ type: 'kafka', brokers }`, `{ type: 'memory' }` or a transport instance. */
  readonly transport: SagaTransportOption;
  /** Sagas this service orchestrates, every version still running. Default: none. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly definitions?: readonly SagaDefinition<any>[];
  /** Where participants reply to this orchestrator. Default: `<serviceName>.saga-replies`. */
  readonly replyTopic?: string;
  /** Outbox relay tuning; see OutboxRelayOptions for defaults. */
  readonly relay?: Partial<OutboxRelayOptions>;
  /** How often step deadlines are checked. Default: 1000. */
  readonly timeoutCheckIntervalMs?: number;
  /** Cleanup of sent outbox rows, old inbox ids and (optionally) finished sagas. */
  readonly retention?: Partial<RetentionOptions>;
  /**
   * Backoff of the in-process retries after a transient error (anything but poison or a declared
   * refusal): doubles from `initialBackoffMs` (100) up to `maxBackoffMs` (5000), for as long as
   * the service consumes.
   */
  readonly transientRetry?: {
    readonly initialBackoffMs?: number;
    readonly maxBackoffMs?: number;
  };
  /** The health indicator reports down when the outbox lag exceeds this. Default: 60000. */
  readonly maxOutboxLagMs?: number;
}
