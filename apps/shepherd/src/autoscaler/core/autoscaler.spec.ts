import { Autoscaler } from './autoscaler';
import { AppObservation } from './scaling-decision';
import { BacklogRule, ScalingPolicy } from './scaling-policy';

const base: ScalingPolicy = {
  app: 'codec',
  minInstances: 2,
  maxInstances: 6,
  allocation: { cpus: 1, memMb: 512 },
  multiplier: 1.5,
  scaleOutCycles: 3,
  scaleInCycles: 2,
  cooldownMs: 60_000,
};
const cpuPolicy: ScalingPolicy = {
  ...base,
  cpu: { scaleOutAbovePercent: 80, scaleInBelowPercent: 20 },
};
const lagPolicy: ScalingPolicy = {
  ...base,
  scaleOutCycles: 2,
  scaleInCycles: 1,
  lag: { group: 'codec', topics: ['codec.commands'], targetPerInstance: 10, idleWindowMs: 30_000 },
};

const backlogPolicy: ScalingPolicy = {
  ...base,
  minInstances: 1,
  maxInstances: 4,
  scaleOutCycles: 2,
  scaleInCycles: 1,
  cooldownMs: 10_000,
  backlog: {
    metric: 'herd_codec_transcode_jobs',
    aggregate: 'max',
    targetPerInstance: 2,
    idleWindowMs: 15_000,
  },
};

/** Feeds one observation per 5 s cycle and returns every decision. */
function run(
  autoscaler: Autoscaler,
  policy: ScalingPolicy,
  cycles: Array<Partial<AppObservation>>,
) {
  let instances = 2;
  return cycles.map((partial, i) => {
    const decision = autoscaler.decide(policy, {
      at: 1_000_000 + i * 5_000,
      instances: partial.instances ?? instances,
      inFlight: false,
      ...partial,
    });
    instances = decision.toInstances;
    return decision;
  });
}

describe('Autoscaler', () => {
  describe('CPU rule', () => {
    it('scales out by the multiplier after the consecutive cycles over the threshold', () => {
      const decisions = run(new Autoscaler(), cpuPolicy, [
        { cpuPercent: 90 },
        { cpuPercent: 95 },
        { cpuPercent: 91 },
      ]);
      expect(decisions.map((d) => d.action)).toEqual(['none', 'none', 'scale-out']);
      expect(decisions[0]).toMatchObject({ cause: 'cpu', reason: 'cpu 90% > 80% (1 of 3 cycles)' });
      expect(decisions[2]).toMatchObject({ cause: 'cpu', fromInstances: 2, toInstances: 3 });
    });

    it('starts counting again when one cycle falls back between the thresholds', () => {
      const decisions = run(new Autoscaler(), cpuPolicy, [
        { cpuPercent: 90 },
        { cpuPercent: 90 },
        { cpuPercent: 50 },
        { cpuPercent: 90 },
        { cpuPercent: 90 },
      ]);
      expect(decisions.map((d) => d.action)).toEqual(['none', 'none', 'none', 'none', 'none']);
      expect(decisions[2]).toMatchObject({ cause: 'steady', reason: 'cpu 50% within 20–80%' });
    });

    it('scales in by the multiplier after the consecutive cycles under the threshold', () => {
      const decisions = run(new Autoscaler(), cpuPolicy, [
        { instances: 5, cpuPercent: 5 },
        { cpuPercent: 4 },
      ]);
      expect(decisions[1]).toMatchObject({ action: 'scale-in', fromInstances: 5, toInstances: 3 });
    });

    it('always moves by at least one instance', () => {
      const policy = { ...cpuPolicy, multiplier: 1.1, scaleOutCycles: 1 };
      const [decision] = run(new Autoscaler(), policy, [{ cpuPercent: 99 }]);
      expect(decision).toMatchObject({ action: 'scale-out', toInstances: 3 });
    });
  });

  describe('memory rule and the trigger mode', () => {
    const both: ScalingPolicy = {
      ...cpuPolicy,
      scaleOutCycles: 1,
      memory: { scaleOutAbovePercent: 75, scaleInBelowPercent: 30 },
    };

    it('scales out on memory alone', () => {
      const [decision] = run(
        new Autoscaler(),
        { ...base, scaleOutCycles: 1, memory: both.memory },
        [{ memoryPercent: 80 }],
      );
      expect(decision).toMatchObject({
        action: 'scale-out',
        cause: 'memory',
        reason: 'memory 80% > 75% for 1 cycles',
      });
    });

    it('or: either resource over its threshold scales out', () => {
      const [decision] = run(new Autoscaler(), both, [{ cpuPercent: 50, memoryPercent: 90 }]);
      expect(decision).toMatchObject({ action: 'scale-out', cause: 'memory' });
    });

    it('and: both resources must be over their thresholds', () => {
      const policy: ScalingPolicy = { ...both, trigger: 'and' };
      const decisions = run(new Autoscaler(), policy, [
        { cpuPercent: 50, memoryPercent: 90 },
        { cpuPercent: 85, memoryPercent: 90 },
      ]);
      expect(decisions.map((d) => d.action)).toEqual(['none', 'scale-out']);
    });

    it('scales in only when every rule is under its threshold', () => {
      const policy: ScalingPolicy = { ...both, scaleInCycles: 1 };
      const decisions = run(new Autoscaler(), policy, [
        { instances: 4, cpuPercent: 5, memoryPercent: 50 },
        { cpuPercent: 5, memoryPercent: 10 },
      ]);
      expect(decisions.map((d) => d.action)).toEqual(['none', 'scale-in']);
    });
  });

  describe('lag rule', () => {
    it('scales out while the lag per instance stays above the target', () => {
      const decisions = run(new Autoscaler(), lagPolicy, [{ lag: 30 }, { lag: 50 }]);
      expect(decisions[0]).toMatchObject({
        action: 'none',
        cause: 'lag',
        reason: 'lag 30 (15 per instance) > 10 (1 of 2 cycles)',
      });
      expect(decisions[1]).toMatchObject({ action: 'scale-out', cause: 'lag', toInstances: 3 });
    });

    it('holds while the lag per instance is at or under the target', () => {
      const decisions = run(new Autoscaler(), lagPolicy, [{ lag: 20 }, { lag: 20 }, { lag: 20 }]);
      expect(decisions.every((d) => d.action === 'none' && d.cause === 'steady')).toBe(true);
    });

    it('scales in only after the group has been idle for the whole window', () => {
      // cycles every 5 s: idle from the 2nd cycle, window 30 s → the 8th cycle (30 s later) acts
      const decisions = run(new Autoscaler(), lagPolicy, [
        { instances: 4, lag: 3 },
        ...Array.from({ length: 7 }, () => ({ lag: 0 })),
      ]);
      expect(decisions.slice(0, 7).every((d) => d.action === 'none')).toBe(true);
      expect(decisions[3].reason).toBe('lag 0 for 10 s of 30 s');
      expect(decisions[7]).toMatchObject({
        action: 'scale-in',
        cause: 'lag',
        fromInstances: 4,
        toInstances: 2,
      });
    });

    it('restarts the idle window when lag comes back', () => {
      const decisions = run(new Autoscaler(), lagPolicy, [
        { instances: 4, lag: 0 },
        ...Array.from({ length: 5 }, () => ({ lag: 0 })),
        { lag: 1 },
        ...Array.from({ length: 5 }, () => ({ lag: 0 })),
      ]);
      expect(decisions.every((d) => d.action === 'none')).toBe(true);
    });

    it('lag over the target wins over an idle CPU', () => {
      const policy: ScalingPolicy = { ...lagPolicy, scaleOutCycles: 1, cpu: cpuPolicy.cpu };
      const [decision] = run(new Autoscaler(), policy, [{ lag: 100, cpuPercent: 1 }]);
      expect(decision).toMatchObject({ action: 'scale-out', cause: 'lag' });
    });
  });

  describe('backlog rule', () => {
    it('scales out while the backlog per instance stays above the target for the cycles', () => {
      const decisions = run(new Autoscaler(), backlogPolicy, [
        { instances: 1, backlog: 6 },
        { backlog: 5 },
      ]);
      expect(decisions[0]).toMatchObject({
        action: 'none',
        cause: 'backlog',
        reason: 'backlog 6 (6 per instance) > 2 (1 of 2 cycles)',
      });
      expect(decisions[1]).toMatchObject({
        action: 'scale-out',
        cause: 'backlog',
        fromInstances: 1,
        toInstances: 2,
        reason: 'backlog 5 (5 per instance) > 2 for 2 cycles',
      });
    });

    it('starts counting again when the backlog per instance falls to the target', () => {
      const decisions = run(new Autoscaler(), backlogPolicy, [
        { instances: 2, backlog: 5 },
        { backlog: 4 },
        { backlog: 5 },
      ]);
      expect(decisions.map((d) => d.action)).toEqual(['none', 'none', 'none']);
      expect(decisions[1]).toMatchObject({
        cause: 'steady',
        reason: 'backlog 4 (2 per instance) ≤ 2',
      });
    });

    it('scales in only once the backlog has been 0 for the idle window', () => {
      // cycles every 5 s: 0 from the 2nd cycle, window 15 s → the 5th cycle acts
      const decisions = run(new Autoscaler(), backlogPolicy, [
        { instances: 3, backlog: 1 },
        ...Array.from({ length: 4 }, () => ({ backlog: 0 })),
      ]);
      expect(decisions.slice(0, 4).every((d) => d.action === 'none')).toBe(true);
      expect(decisions[2].reason).toBe('backlog 0 for 5 s of 15 s');
      expect(decisions[4]).toMatchObject({
        action: 'scale-in',
        cause: 'backlog',
        fromInstances: 3,
        toInstances: 2,
        reason: 'backlog 0 for 15 s (idle window 15 s) for 1 cycles',
      });
    });

    it('restarts the idle window when work comes back', () => {
      const decisions = run(new Autoscaler(), backlogPolicy, [
        { instances: 3, backlog: 0 },
        { backlog: 0 },
        { backlog: 0 },
        { backlog: 1 },
        { backlog: 0 },
        { backlog: 0 },
        { backlog: 0 },
      ]);
      expect(decisions.every((d) => d.action === 'none')).toBe(true);
      expect(decisions[6].reason).toBe('backlog 0 for 10 s of 15 s');
    });

    it('holds the cooldown after a scale-out, then scales out again', () => {
      const policy = { ...backlogPolicy, scaleOutCycles: 1 };
      const decisions = run(new Autoscaler(), policy, [
        { instances: 1, backlog: 9 }, // t=0: 1 → 2
        { backlog: 9 }, // t=5 s: cooldown, 5 s left
        { backlog: 9 }, // t=10 s: 2 → 3
      ]);
      expect(decisions.map((d) => d.action)).toEqual(['scale-out', 'none', 'scale-out']);
      expect(decisions[1]).toMatchObject({
        cause: 'cooldown',
        reason: 'backlog 9 (4.5 per instance) > 2: would scale out to 3, cooldown 5 s left',
      });
    });

    it('the idle window starts again after an action: no scale-in straight after the cooldown', () => {
      const policy = { ...backlogPolicy, scaleOutCycles: 1, cooldownMs: 5_000 };
      const decisions = run(new Autoscaler(), policy, [
        { instances: 1, backlog: 0 }, // idle from t=0
        { backlog: 0 },
        { backlog: 9 }, // t=10 s: 1 → 2, the idle window is forgotten
        { backlog: 0 }, // t=15 s: idle again from here
        { backlog: 0 },
        { backlog: 0 },
        { backlog: 0 }, // t=30 s: idle for 15 s
      ]);
      expect(decisions.map((d) => d.action)).toEqual([
        'none',
        'none',
        'scale-out',
        'none',
        'none',
        'none',
        'scale-in',
      ]);
    });

    it('takes no action while a deployment is in flight', () => {
      const policy = { ...backlogPolicy, scaleOutCycles: 2 };
      const decisions = run(new Autoscaler(), policy, [
        { instances: 1, backlog: 9 },
        { backlog: 9, inFlight: true },
        { backlog: 9 },
        { backlog: 9 },
      ]);
      expect(decisions.map((d) => d.action)).toEqual(['none', 'none', 'none', 'scale-out']);
      expect(decisions[1]).toMatchObject({ cause: 'in-flight' });
    });

    it('never scales out above the maximum nor in below the minimum', () => {
      const policy: ScalingPolicy = {
        ...backlogPolicy,
        scaleOutCycles: 1,
        backlog: { ...(backlogPolicy.backlog as BacklogRule), idleWindowMs: 0 },
      };
      const [atMax] = run(new Autoscaler(), policy, [{ instances: 4, backlog: 40 }]);
      expect(atMax).toMatchObject({
        action: 'none',
        cause: 'max-instances',
        reason: 'backlog 40 (10 per instance) > 2, but already at the maximum 4',
      });
      const [capped] = run(new Autoscaler(), { ...policy, multiplier: 3 }, [
        { instances: 2, backlog: 40 },
      ]);
      expect(capped).toMatchObject({ action: 'scale-out', toInstances: 4 });
      const [atMin] = run(new Autoscaler(), policy, [{ instances: 1, backlog: 0 }]);
      expect(atMin).toMatchObject({ action: 'none', cause: 'min-instances' });
    });

    it('says so when no instance serves the metric', () => {
      const [decision] = run(new Autoscaler(), backlogPolicy, [{ instances: 1 }]);
      expect(decision).toMatchObject({ cause: 'no-data', reason: 'no data for backlog' });
    });

    it('with the lag rule: either one scales out, scaling in needs both idle', () => {
      const policy: ScalingPolicy = {
        ...backlogPolicy,
        scaleOutCycles: 1,
        cooldownMs: 0,
        lag: { ...(lagPolicy.lag as NonNullable<ScalingPolicy['lag']>), idleWindowMs: 0 },
        backlog: {
          ...(backlogPolicy.backlog as BacklogRule),
          idleWindowMs: 0,
        },
      };
      const decisions = run(new Autoscaler(), policy, [
        { instances: 2, lag: 0, backlog: 9 },
        { lag: 0, backlog: 1 },
        { lag: 0, backlog: 0 },
      ]);
      expect(decisions[0]).toMatchObject({ action: 'scale-out', cause: 'backlog' });
      expect(decisions[1]).toMatchObject({ action: 'none', cause: 'steady' });
      expect(decisions[2]).toMatchObject({ action: 'scale-in', cause: 'lag' });
    });
  });

  describe('bounds', () => {
    it('never scales out above the maximum, and says so', () => {
      const policy = { ...cpuPolicy, scaleOutCycles: 1 };
      const decisions = run(new Autoscaler(), policy, [{ instances: 5, cpuPercent: 99 }]);
      expect(decisions[0]).toMatchObject({ action: 'scale-out', toInstances: 6 });
      const [atMax] = run(new Autoscaler(), policy, [{ instances: 6, cpuPercent: 99 }]);
      expect(atMax).toMatchObject({
        action: 'none',
        cause: 'max-instances',
        reason: 'cpu 99% > 80%, but already at the maximum 6',
      });
    });

    it('never scales in below the minimum, and says so', () => {
      const policy = { ...cpuPolicy, scaleInCycles: 1 };
      const [atMin] = run(new Autoscaler(), policy, [{ instances: 2, cpuPercent: 1 }]);
      expect(atMin).toMatchObject({ action: 'none', cause: 'min-instances' });
      const [fromThree] = run(new Autoscaler(), { ...policy, multiplier: 3 }, [
        { instances: 3, cpuPercent: 1 },
      ]);
      expect(fromThree).toMatchObject({ action: 'scale-in', toInstances: 2 });
    });

    it('brings an app outside its bounds back inside them', () => {
      expect(run(new Autoscaler(), cpuPolicy, [{ instances: 1 }])[0]).toMatchObject({
        action: 'scale-out',
        cause: 'min-instances',
        toInstances: 2,
      });
      expect(run(new Autoscaler(), cpuPolicy, [{ instances: 9 }])[0]).toMatchObject({
        action: 'scale-in',
        cause: 'max-instances',
        toInstances: 6,
      });
    });
  });

  describe('cooldown', () => {
    it('holds every action for the cooldown after one, then acts again', () => {
      const policy = { ...cpuPolicy, scaleOutCycles: 1, cooldownMs: 12_000 };
      const decisions = run(new Autoscaler(), policy, [
        { cpuPercent: 99 }, // t=0 scale out 2→3
        { cpuPercent: 99 }, // t=5 s: cooldown, 7 s left
        { cpuPercent: 99 }, // t=10 s: cooldown, 2 s left
        { cpuPercent: 99 }, // t=15 s: acts, 3→5
      ]);
      expect(decisions.map((d) => d.action)).toEqual(['scale-out', 'none', 'none', 'scale-out']);
      expect(decisions[1]).toMatchObject({
        cause: 'cooldown',
        reason: 'cpu 99% > 80%: would scale out to 5, cooldown 7 s left',
      });
      expect(decisions[3]).toMatchObject({ fromInstances: 3, toInstances: 5 });
    });

    it('holds a scale-in right after a scale-out', () => {
      const policy = { ...cpuPolicy, scaleOutCycles: 1, scaleInCycles: 1 };
      const decisions = run(new Autoscaler(), policy, [{ cpuPercent: 99 }, { cpuPercent: 1 }]);
      expect(decisions[1]).toMatchObject({ action: 'none', cause: 'cooldown' });
    });
  });

  describe('in-flight guard', () => {
    it('takes no action while a deployment is in flight, and counts no cycle during it', () => {
      const policy = { ...cpuPolicy, scaleOutCycles: 2 };
      const decisions = run(new Autoscaler(), policy, [
        { cpuPercent: 99 },
        { cpuPercent: 99, inFlight: true },
        { cpuPercent: 99 },
        { cpuPercent: 99 },
      ]);
      expect(decisions.map((d) => d.action)).toEqual(['none', 'none', 'none', 'scale-out']);
      expect(decisions[1]).toMatchObject({ cause: 'in-flight' });
    });

    it('does not even correct the bounds while a deployment is in flight', () => {
      const [decision] = run(new Autoscaler(), cpuPolicy, [{ instances: 1, inFlight: true }]);
      expect(decision).toMatchObject({ action: 'none', cause: 'in-flight', toInstances: 1 });
    });
  });

  it('says when it has nothing to read', () => {
    const [decision] = run(new Autoscaler(), { ...cpuPolicy, lag: lagPolicy.lag }, [{}]);
    expect(decision).toMatchObject({
      action: 'none',
      cause: 'no-data',
      reason: 'no data for cpu, lag',
    });
  });

  it('keeps each app apart', () => {
    const autoscaler = new Autoscaler();
    const policy = { ...cpuPolicy, scaleOutCycles: 2 };
    autoscaler.decide(policy, { at: 0, instances: 2, inFlight: false, cpuPercent: 99 });
    const other = autoscaler.decide(
      { ...policy, app: 'courseware' },
      { at: 1, instances: 2, inFlight: false, cpuPercent: 99 },
    );
    expect(other.action).toBe('none');
    const same = autoscaler.decide(policy, {
      at: 2,
      instances: 2,
      inFlight: false,
      cpuPercent: 99,
    });
    expect(same.action).toBe('scale-out');
  });
});
