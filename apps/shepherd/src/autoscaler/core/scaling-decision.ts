/** What the autoscaler saw for one app in one cycle. */
export interface AppObservation {
  readonly at: number;
  /** Instances the target runs or is asked to run (its desired count). */
  readonly instances: number;
  /** A deployment or update of the app is still going on at the target. */
  readonly inFlight: boolean;
  /** Mean per instance, percent of its allocation; undefined when no instance could be read. */
  readonly cpuPercent?: number;
  readonly memoryPercent?: number;
  /** The consumer group's total lag over its topics. */
  readonly lag?: number;
  /** The backlog rule's gauge over the passing instances (summed or the max, as the rule says). */
  readonly backlog?: number;
}

export type ScalingAction = 'scale-out' | 'scale-in' | 'none';

/** Why the autoscaler did what it did: the rule that decided, or the guard that held it back. */
export type DecisionCause =
  | 'cpu'
  | 'memory'
  | 'lag'
  | 'backlog'
  | 'min-instances'
  | 'max-instances'
  | 'cooldown'
  | 'in-flight'
  | 'steady'
  | 'no-data';

export interface ScalingDecision {
  readonly app: string;
  readonly at: number;
  readonly action: ScalingAction;
  readonly cause: DecisionCause;
  readonly fromInstances: number;
  readonly toInstances: number;
  /** One sentence an operator reads on the page. */
  readonly reason: string;
}
