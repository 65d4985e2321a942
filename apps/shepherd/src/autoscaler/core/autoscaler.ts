import { ScalingPolicy, ThresholdRule } from './scaling-policy';
import { AppObservation, DecisionCause, ScalingDecision } from './scaling-decision';

type Want = 'out' | 'in' | 'hold';
/** Rules on work waiting (a topic's lag, an app's own backlog): either one scales out alone. */
type QueueRule = 'lag' | 'backlog';

/** One rule's opinion in one cycle. */
interface Vote {
  readonly rule: 'cpu' | 'memory' | QueueRule;
  readonly want: Want;
  /** undefined: the rule had nothing to read this cycle. */
  readonly detail?: string;
}

interface AppState {
  outStreak: number;
  inStreak: number;
  lastActionAt?: number;
  /** Since when each queue rule has read 0 (unset: it has not, since the last action). */
  idleSince: Partial<Record<QueueRule, number>>;
}

/**
 * The autoscaler's decisions, free of Nest, Kafka and HTTP: one call per app per cycle with what
 * was observed, one decision back (often "none", always with its reason). The caller applies a
 * scale-out or scale-in to the target; the cooldown starts with the decision, so a failing
 * target is not hammered every cycle either.
 */
export class Autoscaler {
  private readonly states = new Map<string, AppState>();

  decide(policy: ScalingPolicy, seen: AppObservation): ScalingDecision {
    const state = this.stateOf(policy.app);
    const n = seen.instances;
    const decision = (
      action: ScalingDecision['action'],
      cause: DecisionCause,
      toInstances: number,
      reason: string,
    ): ScalingDecision => ({
      app: policy.app,
      at: seen.at,
      action,
      cause,
      fromInstances: n,
      toInstances,
      reason,
    });
    const act = (d: ScalingDecision): ScalingDecision => {
      state.lastActionAt = seen.at;
      state.outStreak = 0;
      state.inStreak = 0;
      state.idleSince = {};
      return d;
    };

    if (seen.inFlight) {
      // Metrics taken while instances start or stop say nothing about the steady load.
      state.outStreak = 0;
      state.inStreak = 0;
      return decision('none', 'in-flight', n, 'a deployment is in flight at the target: waiting');
    }
    if (n < policy.minInstances) {
      return act(
        decision('scale-out', 'min-instances', policy.minInstances, `${n} is below the minimum`),
      );
    }
    if (n > policy.maxInstances) {
      return act(
        decision('scale-in', 'max-instances', policy.maxInstances, `${n} is above the maximum`),
      );
    }

    const votes = this.votes(policy, seen, state);
    if (votes.length === 0) return decision('none', 'steady', n, 'no rule configured');
    const read = votes.filter((v) => v.detail !== undefined);
    if (read.length === 0) {
      state.outStreak = 0;
      state.inStreak = 0;
      return decision('none', 'no-data', n, `no data for ${votes.map((v) => v.rule).join(', ')}`);
    }
    const out = this.scaleOutVote(policy, votes);
    const inward = votes.every((v) => v.want === 'in') ? votes[0] : undefined;
    state.outStreak = out ? state.outStreak + 1 : 0;
    state.inStreak = inward ? state.inStreak + 1 : 0;
    const details = read.map((v) => v.detail).join('; ');

    const move = out
      ? {
          vote: out,
          action: 'scale-out' as const,
          streak: state.outStreak,
          cycles: policy.scaleOutCycles,
          to: Math.min(policy.maxInstances, Math.max(n + 1, Math.ceil(n * policy.multiplier))),
          bound: 'max-instances' as const,
          words: { verb: 'scale out', bound: 'maximum' },
        }
      : inward && {
          vote: inward,
          action: 'scale-in' as const,
          streak: state.inStreak,
          cycles: policy.scaleInCycles,
          to: Math.max(policy.minInstances, Math.min(n - 1, Math.floor(n / policy.multiplier))),
          bound: 'min-instances' as const,
          words: { verb: 'scale in', bound: 'minimum' },
        };
    if (move) {
      if (move.streak < move.cycles) {
        return decision(
          'none',
          move.vote.rule,
          n,
          `${details} (${move.streak} of ${move.cycles} cycles)`,
        );
      }
      if (move.to === n) {
        return decision(
          'none',
          move.bound,
          n,
          `${details}, but already at the ${move.words.bound} ${n}`,
        );
      }
      const cooling = this.cooldownLeft(policy, state, seen.at);
      if (cooling > 0) {
        const would = `would ${move.words.verb} to ${move.to}, cooldown ${seconds(cooling)} left`;
        return decision('none', 'cooldown', n, `${details}: ${would}`);
      }
      return act(
        decision(move.action, move.vote.rule, move.to, `${details} for ${move.cycles} cycles`),
      );
    }
    return decision('none', 'steady', n, details);
  }

  private scaleOutVote(policy: ScalingPolicy, votes: readonly Vote[]): Vote | undefined {
    const queue = votes.find((v) => isQueueRule(v.rule) && v.want === 'out');
    if (queue) return queue;
    const resources = votes.filter((v) => !isQueueRule(v.rule));
    const over = resources.filter((v) => v.want === 'out');
    if (over.length === 0) return undefined;
    if ((policy.trigger ?? 'or') === 'and' && over.length < resources.length) return undefined;
    return over[0];
  }

  private votes(policy: ScalingPolicy, seen: AppObservation, state: AppState): Vote[] {
    const votes: Vote[] = [];
    if (policy.cpu) votes.push(thresholdVote('cpu', policy.cpu, seen.cpuPercent));
    if (policy.memory) votes.push(thresholdVote('memory', policy.memory, seen.memoryPercent));
    if (policy.lag) votes.push(queueVote('lag', policy.lag, seen, state));
    if (policy.backlog) votes.push(queueVote('backlog', policy.backlog, seen, state));
    return votes;
  }

  private cooldownLeft(policy: ScalingPolicy, state: AppState, now: number): number {
    return state.lastActionAt === undefined ? 0 : state.lastActionAt + policy.cooldownMs - now;
  }

  private stateOf(app: string): AppState {
    let state = this.states.get(app);
    if (!state) {
      state = { outStreak: 0, inStreak: 0, idleSince: {} };
      this.states.set(app, state);
    }
    return state;
  }
}

function isQueueRule(rule: Vote['rule']): rule is QueueRule {
  return rule === 'lag' || rule === 'backlog';
}

/** Out while the figure per instance stays over the target, in once it has read 0 for the window. */
function queueVote(
  rule: QueueRule,
  limits: { readonly targetPerInstance: number; readonly idleWindowMs: number },
  seen: AppObservation,
  state: AppState,
): Vote {
  const { targetPerInstance, idleWindowMs } = limits;
  const value = seen[rule];
  if (value === undefined) return { rule, want: 'hold' };
  if (value > 0) {
    state.idleSince[rule] = undefined;
    const perInstance = value / Math.max(1, seen.instances);
    const shown = `${rule} ${value} (${round(perInstance)} per instance)`;
    return perInstance > targetPerInstance
      ? { rule, want: 'out', detail: `${shown} > ${targetPerInstance}` }
      : { rule, want: 'hold', detail: `${shown} ≤ ${targetPerInstance}` };
  }
  const since = (state.idleSince[rule] ??= seen.at);
  const idle = seen.at - since;
  return idle >= idleWindowMs
    ? {
        rule,
        want: 'in',
        detail: `${rule} 0 for ${seconds(idle)} (idle window ${seconds(idleWindowMs)})`,
      }
    : { rule, want: 'hold', detail: `${rule} 0 for ${seconds(idle)} of ${seconds(idleWindowMs)}` };
}

function thresholdVote(rule: 'cpu' | 'memory', limits: ThresholdRule, value?: number): Vote {
  if (value === undefined) return { rule, want: 'hold' };
  const shown = `${rule} ${round(value)}%`;
  if (value > limits.scaleOutAbovePercent) {
    return { rule, want: 'out', detail: `${shown} > ${limits.scaleOutAbovePercent}%` };
  }
  if (value < limits.scaleInBelowPercent) {
    return { rule, want: 'in', detail: `${shown} < ${limits.scaleInBelowPercent}%` };
  }
  return {
    rule,
    want: 'hold',
    detail: `${shown} within ${limits.scaleInBelowPercent}–${limits.scaleOutAbovePercent}%`,
  };
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

function seconds(ms: number): string {
  return `${Math.ceil(ms / 1000)} s`;
}
