import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import type { Admin, Consumer } from 'kafkajs';
import { HEALTH_DEFAULTS, HEALTH_INDICATOR_KEYS } from '../health.constants';
import { redactText } from '../logging/redact';

export interface KafkaConsumerProbeOptions {
  /** Name in the readiness body: `kafka:<name>`. */
  readonly name: string;
  /** Admin client used to read committed and latest offsets; without it lag is not checked. */
  readonly admin?: Admin;
  /** Down when the summed lag of this member's partitions exceeds it. Default 1000. */
  readonly maxLag?: number;
  /** Down when the consumer emitted no heartbeat/fetch for this long (stuck handler). Default 60000. */
  readonly maxSilenceMs?: number;
}

export type KafkaConsumerPhase = 'joining' | 'member' | 'rebalancing' | 'crashed' | 'stopped';

export interface KafkaConsumerStatus {
  readonly phase: KafkaConsumerPhase;
  readonly groupId?: string;
  readonly memberId?: string;
  readonly assignment: Record<string, number[]>;
  readonly lastActivityAt?: number;
  readonly error?: string;
}

/**
 * Looks at a real kafkajs consumer instead of pinging a broker: group membership from the
 * consumer's own instrumentation events (GROUP_JOIN, REBALANCING, CRASH, STOP), liveness of
 * its fetch loop from HEARTBEAT/FETCH_START, and lag from the admin API (latest offset minus
 * the group's committed offset, over the partitions assigned to this member).
 * Attach it before `consumer.run()` so the first GROUP_JOIN is seen.
 */
export class KafkaConsumerProbe {
  private state: KafkaConsumerStatus = { phase: 'joining', assignment: {} };
  private readonly detach: Array<() => void>;
  private readonly indicators = new HealthIndicatorService();
  readonly key: string;
  readonly maxLag: number;
  readonly maxSilenceMs: number;

  constructor(
    consumer: Consumer,
    private readonly options: KafkaConsumerProbeOptions,
    private readonly now: () => number = Date.now,
  ) {
    this.key = `${HEALTH_INDICATOR_KEYS.kafkaPrefix}${options.name}`;
    this.maxLag = options.maxLag ?? HEALTH_DEFAULTS.kafkaMaxLag;
    this.maxSilenceMs = options.maxSilenceMs ?? HEALTH_DEFAULTS.kafkaMaxSilenceMs;
    const { events } = consumer;
    this.detach = [
      consumer.on(events.GROUP_JOIN, ({ payload }) =>
        this.set({
          phase: 'member',
          groupId: payload.groupId,
          memberId: payload.memberId,
          assignment: payload.memberAssignment,
          error: undefined,
        }),
      ),
      consumer.on(events.REBALANCING, ({ payload }) =>
        this.set({ phase: 'rebalancing', groupId: payload.groupId }),
      ),
      consumer.on(events.HEARTBEAT, () => this.set({})),
      consumer.on(events.FETCH_START, () => this.set({})),
      consumer.on(events.CRASH, ({ payload }) =>
        this.set({
          phase: payload.restart ? 'joining' : 'crashed',
          groupId: payload.groupId,
          assignment: {},
          error: redactText(payload.error?.message ?? String(payload.error)),
        }),
      ),
      consumer.on(events.STOP, () => this.set({ phase: 'stopped', assignment: {} })),
    ];
  }

  status(): KafkaConsumerStatus {
    return this.state;
  }

  /** Stops listening to the consumer's events. */
  close(): void {
    this.detach.splice(0).forEach((remove) => remove());
  }

  async check(): Promise<HealthIndicatorResult> {
    const check = this.indicators.check(this.key);
    const { phase, groupId, memberId, error, lastActivityAt } = this.state;
    const base = { phase, groupId, memberId };
    if (phase === 'joining' || phase === 'crashed' || phase === 'stopped') {
      const why = phase === 'joining' ? 'not a consumer group member yet' : `consumer ${phase}`;
      return check.down({ ...base, message: error ? `${why}: ${error}` : why });
    }
    const silentMs = lastActivityAt === undefined ? 0 : this.now() - lastActivityAt;
    if (silentMs > this.maxSilenceMs) {
      return check.down({
        ...base,
        message: `no heartbeat or fetch for ${silentMs}ms (max ${this.maxSilenceMs}ms): handler stuck?`,
      });
    }
    if (!this.options.admin || !groupId) return check.up(base);
    const lag = await this.lag(this.options.admin, groupId);
    if (lag > this.maxLag) {
      return check.down({
        ...base,
        lag,
        maxLag: this.maxLag,
        message: `lag ${lag} > ${this.maxLag}`,
      });
    }
    return check.up({ ...base, lag, maxLag: this.maxLag });
  }

  /** Summed lag over the partitions assigned to this member; uncommitted counts from the low mark. */
  async lag(admin: Admin, groupId: string): Promise<number> {
    const topics = Object.keys(this.state.assignment);
    if (topics.length === 0) return 0;
    const committed = await admin.fetchOffsets({ groupId, topics });
    let total = 0;
    for (const topic of topics) {
      const mine = new Set(this.state.assignment[topic]);
      const latest = await admin.fetchTopicOffsets(topic);
      const group = committed.find((entry) => entry.topic === topic)?.partitions ?? [];
      for (const { partition, high, low } of latest) {
        if (!mine.has(partition)) continue;
        const offset = Number(group.find((p) => p.partition === partition)?.offset ?? -1);
        total += Math.max(0, Number(high) - (offset >= 0 ? offset : Number(low)));
      }
    }
    return total;
  }

  private set(change: Partial<KafkaConsumerStatus>): void {
    this.state = { ...this.state, ...change, lastActivityAt: this.now() };
  }
}
