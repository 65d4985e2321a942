import { DecisionOutcome } from '../autoscaler/scaling-decision.entity';
import { ServiceSagaStates } from '../sagas/saga-states.source';
import { HerdInstance } from './herd-instance';

export interface InstanceView extends HerdInstance {
  /** Percent of one core. */
  readonly cpuPercent?: number;
  readonly memoryMb?: number;
  readonly links: { readonly docs: string; readonly metrics: string };
}

/** Counts from the herd_saga_* counters of the instances that run now (they reset on restart). */
export interface SagaCounts {
  readonly saga: string;
  readonly started: number;
  readonly completed: number;
  readonly compensated: number;
  /** Parked FAILED: a compensation failed; an operator must look. */
  readonly failed: number;
  readonly running: number;
}

export interface DeadLetterCount {
  readonly topic: string;
  readonly reason: string;
  readonly count: number;
}

export interface ScalingSummary {
  readonly minInstances: number;
  readonly maxInstances: number;
  readonly instances: number;
  readonly inFlight: boolean;
  readonly cpuPercent?: number;
  readonly memoryPercent?: number;
  readonly lag?: number;
  readonly lagTargetPerInstance?: number;
  readonly backlog?: number;
  readonly backlogTargetPerInstance?: number;
  readonly decision: {
    readonly action: string;
    readonly cause: string;
    readonly outcome: DecisionOutcome;
    readonly reason: string;
    readonly toInstances: number;
  };
}

export interface ServiceView {
  readonly name: string;
  readonly versions: ReadonlyArray<{
    readonly version: string;
    readonly instances: readonly InstanceView[];
  }>;
  readonly sagas: readonly SagaCounts[];
  /** From the service's `GET /sagas`: states in its database, FAILED and compensated with why. */
  readonly sagaStates?: ServiceSagaStates;
  readonly deadLetters: readonly DeadLetterCount[];
  readonly scaling?: ScalingSummary;
}

export interface DecisionView {
  readonly app: string;
  readonly at: string;
  readonly action: string;
  readonly cause: string;
  readonly outcome: DecisionOutcome;
  readonly fromInstances: number;
  readonly toInstances: number;
  readonly reason: string;
}

/** One point of the page's charts. */
export interface HistoryPoint {
  readonly at: number;
  readonly instances: Readonly<Record<string, number>>;
  readonly lag: Readonly<Record<string, number>>;
  readonly backlog: Readonly<Record<string, number>>;
}

/** Everything the page shows, as of one cycle. */
export interface HerdSnapshot {
  readonly at: number;
  readonly sources: { readonly herd: string; readonly metrics: string; readonly target: string };
  /** The catalogue could not be read this cycle: the last known herd is shown. */
  readonly error?: string;
  readonly services: readonly ServiceView[];
  readonly decisions: readonly DecisionView[];
  readonly history: readonly HistoryPoint[];
}
