import { MANIFEST_DEFAULTS } from '@herd/manifest';
import { ScalingPolicy, ThresholdRule } from './scaling-policy';
import { ScalingPolicyError } from './scaling-policy.error';

type Raw = Record<string, unknown>;

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** marathon-autoscale's defaults where it has them; a cooldown it lacks. */
const POLICY_DEFAULTS = {
  multiplier: 1.5,
  scaleOutCycles: 3,
  scaleInCycles: 3,
  cooldownMs: 60_000,
} as const;

/**
 * Reads policies from JSON (an array, one object per app) and checks every field, so a wrong
 * policy stops the boot with its path (`[0].lag.targetPerInstance`) and reason.
 */
export function parseScalingPolicies(json: string): ScalingPolicy[] {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (error) {
    throw new ScalingPolicyError('', `is not JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(raw)) throw new ScalingPolicyError('', 'must be a JSON array of policies');
  const policies = raw.map((entry, i) => parsePolicy(entry, `[${i}]`));
  const apps = new Set<string>();
  policies.forEach((policy, i) => {
    if (apps.has(policy.app))
      throw new ScalingPolicyError(`[${i}].app`, `"${policy.app}" has two policies`);
    apps.add(policy.app);
  });
  return policies;
}

function parsePolicy(entry: unknown, at: string): ScalingPolicy {
  const raw = object(entry, at);
  const app = raw.app;
  if (typeof app !== 'string' || !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(app)) {
    throw new ScalingPolicyError(
      `${at}.app`,
      'must be a service name (lowercase letters, digits, dashes)',
    );
  }
  const minInstances = integer(raw, 'minInstances', at, 1);
  const maxInstances = integer(raw, 'maxInstances', at, 1);
  if (maxInstances < minInstances) {
    throw new ScalingPolicyError(
      `${at}.maxInstances`,
      `must be at least minInstances (${minInstances})`,
    );
  }
  const multiplier = number(raw, 'multiplier', at, POLICY_DEFAULTS.multiplier);
  if (multiplier <= 1) throw new ScalingPolicyError(`${at}.multiplier`, 'must be greater than 1');
  const trigger = raw.trigger ?? 'or';
  if (trigger !== 'and' && trigger !== 'or')
    throw new ScalingPolicyError(`${at}.trigger`, 'must be "and" or "or"');
  const policy: ScalingPolicy = {
    app,
    minInstances,
    maxInstances,
    allocation: allocation(raw.allocation, `${at}.allocation`),
    multiplier,
    scaleOutCycles: integer(raw, 'scaleOutCycles', at, 1, POLICY_DEFAULTS.scaleOutCycles),
    scaleInCycles: integer(raw, 'scaleInCycles', at, 1, POLICY_DEFAULTS.scaleInCycles),
    cooldownMs: integer(raw, 'cooldownMs', at, 0, POLICY_DEFAULTS.cooldownMs),
    trigger,
    cpu: raw.cpu === undefined ? undefined : threshold(raw.cpu, `${at}.cpu`),
    memory: raw.memory === undefined ? undefined : threshold(raw.memory, `${at}.memory`),
    lag: raw.lag === undefined ? undefined : lag(raw.lag, `${at}.lag`),
    backlog: raw.backlog === undefined ? undefined : backlog(raw.backlog, `${at}.backlog`),
  };
  if (!policy.cpu && !policy.memory && !policy.lag && !policy.backlog) {
    throw new ScalingPolicyError(at, 'needs at least one rule: cpu, memory, lag or backlog');
  }
  return policy;
}

function threshold(entry: unknown, at: string): ThresholdRule {
  const raw = object(entry, at);
  const scaleOutAbovePercent = number(raw, 'scaleOutAbovePercent', at);
  const scaleInBelowPercent = number(raw, 'scaleInBelowPercent', at);
  if (scaleInBelowPercent < 0 || scaleInBelowPercent >= scaleOutAbovePercent) {
    throw new ScalingPolicyError(
      `${at}.scaleInBelowPercent`,
      `must be between 0 and scaleOutAbovePercent (${scaleOutAbovePercent})`,
    );
  }
  return { scaleOutAbovePercent, scaleInBelowPercent };
}

/** Defaults to a manifest's: what a service gets when its manifest names no cpus or memMb. */
function allocation(entry: unknown, at: string): ScalingPolicy['allocation'] {
  const raw = entry === undefined ? {} : object(entry, at);
  const cpus = number(raw, 'cpus', at, MANIFEST_DEFAULTS.cpus);
  const memMb = number(raw, 'memMb', at, MANIFEST_DEFAULTS.memMb);
  if (cpus <= 0) throw new ScalingPolicyError(`${at}.cpus`, 'must be greater than 0');
  if (memMb <= 0) throw new ScalingPolicyError(`${at}.memMb`, 'must be greater than 0');
  return { cpus, memMb };
}

function lag(entry: unknown, at: string): NonNullable<ScalingPolicy['lag']> {
  const raw = object(entry, at);
  if (typeof raw.group !== 'string' || !raw.group)
    throw new ScalingPolicyError(`${at}.group`, 'must name a consumer group');
  const topics = raw.topics;
  if (
    !Array.isArray(topics) ||
    topics.length === 0 ||
    !topics.every((t) => typeof t === 'string' && t)
  ) {
    throw new ScalingPolicyError(`${at}.topics`, 'must be a non-empty array of topic names');
  }
  return { group: raw.group, topics, ...queueLimits(raw, at) };
}

function backlog(entry: unknown, at: string): NonNullable<ScalingPolicy['backlog']> {
  const raw = object(entry, at);
  if (typeof raw.metric !== 'string' || !METRIC_NAME.test(raw.metric)) {
    throw new ScalingPolicyError(`${at}.metric`, 'must be a Prometheus metric name');
  }
  const aggregate = raw.aggregate ?? 'sum';
  if (aggregate !== 'sum' && aggregate !== 'max') {
    throw new ScalingPolicyError(`${at}.aggregate`, 'must be "sum" or "max"');
  }
  return { metric: raw.metric, aggregate, ...queueLimits(raw, at) };
}

function queueLimits(raw: Raw, at: string): { targetPerInstance: number; idleWindowMs: number } {
  const targetPerInstance = number(raw, 'targetPerInstance', at);
  if (targetPerInstance <= 0)
    throw new ScalingPolicyError(`${at}.targetPerInstance`, 'must be greater than 0');
  return { targetPerInstance, idleWindowMs: integer(raw, 'idleWindowMs', at, 0) };
}

function object(entry: unknown, at: string): Raw {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    throw new ScalingPolicyError(at, 'must be an object');
  }
  return entry as Raw;
}

function number(raw: Raw, key: string, at: string, fallback?: number): number {
  const value = raw[key] ?? fallback;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ScalingPolicyError(
      `${at}.${key}`,
      value === undefined ? 'is required' : 'must be a number',
    );
  }
  return value;
}

function integer(raw: Raw, key: string, at: string, min: number, fallback?: number): number {
  const value = number(raw, key, at, fallback);
  if (!Number.isInteger(value) || value < min) {
    throw new ScalingPolicyError(`${at}.${key}`, `must be an integer ≥ ${min}`);
  }
  return value;
}
