import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { HealthIndicatorResult } from '@nestjs/terminus';
import type { Consumer } from 'kafkajs';
import type { NamedReadinessIndicator } from '../interfaces/health-module-options.interface';
import { KafkaConsumerProbe, type KafkaConsumerProbeOptions } from './kafka-consumer.probe';

/**
 * Where libs hand their kafkajs consumers (e.g. @herd/saga): every watched consumer becomes a
 * `kafka:<name>` entry of /health/ready. Watching twice under one name replaces the first probe.
 */
@Injectable()
export class KafkaConsumerHealthIndicator implements OnApplicationShutdown {
  private readonly probes = new Map<string, KafkaConsumerProbe>();

  /** Returns a function that stops watching (call it when the consumer is gone for good). */
  watch(consumer: Consumer, options: KafkaConsumerProbeOptions): () => void {
    this.probes.get(options.name)?.close();
    const probe = new KafkaConsumerProbe(consumer, options);
    this.probes.set(options.name, probe);
    return () => {
      probe.close();
      if (this.probes.get(options.name) === probe) this.probes.delete(options.name);
    };
  }

  /** All watched consumers in one result (an empty result when none is watched). */
  async isHealthy(): Promise<HealthIndicatorResult> {
    const results = await Promise.all([...this.probes.values()].map((probe) => probe.check()));
    return Object.assign({}, ...results) as HealthIndicatorResult;
  }

  /** One readiness entry per consumer, so a timeout names the consumer that hung. */
  indicators(): NamedReadinessIndicator[] {
    return [...this.probes.values()].map((probe) => ({
      name: probe.key,
      check: () => probe.check(),
    }));
  }

  onApplicationShutdown(): void {
    this.probes.forEach((probe) => probe.close());
    this.probes.clear();
  }
}
