import { Counter, Gauge, Histogram, register } from 'prom-client';

/**
 * Metrics on prom-client's global registry, get-or-create so several apps in one process (tests)
 * share them instead of throwing "already registered".
 */
export interface SagaMetrics {
  readonly started: Counter<'saga'>;
  readonly completed: Counter<'saga'>;
  readonly compensated: Counter<'saga'>;
  readonly failed: Counter<'saga'>;
  readonly stepDuration: Histogram<'saga' | 'step' | 'outcome'>;
  readonly outboxPublished: Counter<string>;
  readonly outboxLag: Gauge<string>;
  readonly deadLettered: Counter<'topic' | 'reason'>;
  readonly transientRetries: Counter<'topic'>;
  readonly outboxDeadLettered: Counter<'topic'>;
}

function counter<L extends string>(name: string, help: string, labelNames: L[]): Counter<L> {
  return (
    (register.getSingleMetric(name) as Counter<L> | undefined) ??
    new Counter({ name, help, labelNames })
  );
}

export function sagaMetrics(): SagaMetrics {
  return {
    started: counter('herd_saga_started_total', 'Sagas started', ['saga']),
    completed: counter('herd_saga_completed_total', 'Sagas that reached COMPLETED', ['saga']),
    compensated: counter('herd_saga_compensated_total', 'Sagas that reached COMPENSATED', ['saga']),
    failed: counter('herd_saga_failed_total', 'Sagas parked FAILED (compensation failed)', [
      'saga',
    ]),
    stepDuration:
      (register.getSingleMetric('herd_saga_step_duration_seconds') as
        Histogram<'saga' | 'step' | 'outcome'> | undefined) ??
      new Histogram({
        name: 'herd_saga_step_duration_seconds',
        help: 'Time from sending a step command to its reply or timeout',
        labelNames: ['saga', 'step', 'outcome'],
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      }),
    outboxPublished: counter('herd_saga_outbox_published_total', 'Outbox rows published', []),
    outboxLag:
      (register.getSingleMetric('herd_saga_outbox_lag_seconds') as Gauge<string> | undefined) ??
      new Gauge({
        name: 'herd_saga_outbox_lag_seconds',
        help: 'Age of the oldest unpublished outbox row at the last relay cycle',
      }),
    deadLettered: counter('herd_saga_dead_lettered_total', 'Poison messages sent to a DLQ', [
      'topic',
      'reason',
    ]),
    transientRetries: counter(
      'herd_saga_transient_retries_total',
      'Messages handled again in the process after a transient error',
      ['topic'],
    ),
    outboxDeadLettered: counter(
      'herd_saga_outbox_dead_lettered_total',
      'Outbox rows the broker kept refusing, parked in herd_saga_dead_letter',
      ['topic'],
    ),
  };
}
