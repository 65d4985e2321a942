/**
 * How one app is scaled. The CPU and memory rules are marathon-autoscale's (thresholds on the
 * mean per instance, a number of consecutive cycles before acting, a multiplier); the lag rule
 * reads a Kafka consumer group, the backlog rule a gauge of work the app itself says is waiting
 * (codec's jobs table: it takes a command at once, so its group's lag stays near 0). What the reference lacks is here too: a cooldown after every
 * action and no action while the target is still deploying.
 */
export interface ScalingPolicy {
  /** The service name in Consul and the app's name on the scaling target. */
  readonly app: string;
  readonly minInstances: number;
  readonly maxInstances: number;
  /** What one instance is given: the base of the CPU and memory percentages. */
  readonly allocation: { readonly cpus: number; readonly memMb: number };
  /** Scale out to ⌈n × multiplier⌉, in to ⌊n ÷ multiplier⌋ (at least one instance each way). */
  readonly multiplier: number;
  /** Consecutive cycles every rule must ask for more before scaling out (AS_SCALE_UP_FACTOR). */
  readonly scaleOutCycles: number;
  /** Consecutive cycles every rule must ask for fewer before scaling in (AS_COOL_DOWN_FACTOR). */
  readonly scaleInCycles: number;
  /** No action for this long after one, whatever the rules say. */
  readonly cooldownMs: number;
  readonly cpu?: ThresholdRule;
  readonly memory?: ThresholdRule;
  /**
   * With both CPU and memory rules: `or` scales out when either is over its threshold, `and` only
   * when both are. Scaling in always needs every rule under its threshold. Default `or`.
   */
  readonly trigger?: 'and' | 'or';
  readonly lag?: LagRule;
  readonly backlog?: BacklogRule;
}

/** Percent of what one instance was given (its cpus, its memory): 100 = all of it. */
export interface ThresholdRule {
  readonly scaleOutAbovePercent: number;
  readonly scaleInBelowPercent: number;
}

export interface LagRule {
  /** Consumer group whose lag is read (a saga participant's group is its service name). */
  readonly group: string;
  readonly topics: readonly string[];
  /** Scale out while lag ÷ instances stays above this. */
  readonly targetPerInstance: number;
  /** Scale in once the group's lag has been 0 this long. */
  readonly idleWindowMs: number;
}

/**
 * Work an app reports waiting on its own `/metrics`, for apps that accept work at once and queue
 * it themselves: the Kafka lag of such an app stays near 0 however much piles up.
 */
export interface BacklogRule {
  /** A gauge every instance serves; an instance's figure is the sum of its series (codec: queued + running). */
  readonly metric: string;
  /**
   * How the instances' figures make the app's backlog: `sum` when each instance reports its own
   * queue, `max` when each reports one queue they share (every codec instance reads the same
   * jobs table: summing would count each job once per instance).
   */
  readonly aggregate: 'sum' | 'max';
  /** Scale out while backlog ÷ instances stays above this. */
  readonly targetPerInstance: number;
  /** Scale in once the backlog has been 0 this long. */
  readonly idleWindowMs: number;
}
