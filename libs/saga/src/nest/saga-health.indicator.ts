import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { SagaRuntime } from '../saga-runtime';

/** Readiness: transport connected, consumers and relay running, outbox lag under its limit. */
@Injectable()
export class SagaHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly runtime: SagaRuntime,
  ) {}

  isHealthy(key = 'saga'): HealthIndicatorResult {
    const session = this.health.check(key);
    const { relay, transport } = this.runtime;
    const details = {
      transportConnected: transport.connected,
      consuming: this.runtime.consuming || this.runtime.consumedTopics.length === 0,
      relayRunning: relay.isRunning,
      outboxLagMs: relay.lagMs,
      lastRelayError: relay.lastError?.message ?? null,
    };
    const healthy =
      details.transportConnected &&
      details.consuming &&
      details.relayRunning &&
      relay.lagMs <= this.runtime.maxOutboxLagMs;
    return healthy ? session.up(details) : session.down(details);
  }
}
