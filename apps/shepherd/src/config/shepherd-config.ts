import { ServiceConfigError } from '@herd/service';
import { parseScalingPolicies } from '../autoscaler/core/parse-scaling-policies';
import { ScalingPolicy } from '../autoscaler/core/scaling-policy';
import { ScalingPolicyError } from '../autoscaler/core/scaling-policy.error';
import { DEFAULT_POLICIES } from './default-policies';

/** What the shepherd reads on top of every Herd service's variables (libs/service). */
export interface ShepherdConfig {
  readonly policies: readonly ScalingPolicy[];
  /** One autoscaler cycle (and one page refresh) every this many ms. */
  readonly cycleMs: number;
  /** Read CPU and memory here instead of scraping every instance. */
  readonly prometheusUrl?: string;
  /** Where scaling is applied; unset: decisions are made and shown, never applied. */
  readonly target?: MarathonTargetConfig | SwarmTargetConfig;
  /** Decisions older than this are deleted. */
  readonly decisionRetentionMs: number;
  /** How much of the past the page's charts show. */
  readonly historyMs: number;
}

export const SHEPHERD_KEYS = {
  policies: 'SHEPHERD_POLICIES',
  cycleMs: 'SHEPHERD_CYCLE_MS',
  prometheusUrl: 'SHEPHERD_PROMETHEUS_URL',
  target: 'SHEPHERD_TARGET',
  marathonUrl: 'SHEPHERD_MARATHON_URL',
  marathonToken: 'SHEPHERD_MARATHON_TOKEN',
  swarmStack: 'SHEPHERD_SWARM_STACK',
  decisionRetentionMs: 'SHEPHERD_DECISION_RETENTION_MS',
} as const;

export interface MarathonTargetConfig {
  readonly kind: 'marathon';
  /** user:password in it become basic auth (the client moves them to the header). */
  readonly url: string;
  readonly token?: string;
}

export interface SwarmTargetConfig {
  readonly kind: 'swarm';
  /** Services are `<stack>_<app>` (docker stack deploy); unset: `<app>`. */
  readonly stack?: string;
}

/** Fails with ServiceConfigError naming the key the operator set wrong. */
export function loadShepherdConfig(env: NodeJS.ProcessEnv = process.env): ShepherdConfig {
  const rawPolicies = optional(env, SHEPHERD_KEYS.policies);
  let policies: ScalingPolicy[] = [...DEFAULT_POLICIES];
  if (rawPolicies) {
    try {
      policies = parseScalingPolicies(rawPolicies);
    } catch (error) {
      if (error instanceof ScalingPolicyError) {
        throw new ServiceConfigError(SHEPHERD_KEYS.policies, error.message);
      }
      throw error;
    }
  }
  const prometheusUrl = optional(env, SHEPHERD_KEYS.prometheusUrl);
  if (prometheusUrl) httpUrl(SHEPHERD_KEYS.prometheusUrl, prometheusUrl);
  return {
    policies,
    target: target(env),
    cycleMs: integer(env, SHEPHERD_KEYS.cycleMs, 5_000, 100),
    prometheusUrl,
    decisionRetentionMs: integer(env, SHEPHERD_KEYS.decisionRetentionMs, 24 * 3_600_000, 60_000),
    historyMs: 3_600_000,
  };
}

function target(env: NodeJS.ProcessEnv): ShepherdConfig['target'] {
  const kind = optional(env, SHEPHERD_KEYS.target);
  if (kind === undefined) return undefined;
  if (kind === 'swarm') return { kind, stack: optional(env, SHEPHERD_KEYS.swarmStack) };
  if (kind !== 'marathon') {
    throw new ServiceConfigError(
      SHEPHERD_KEYS.target,
      `"${kind}" is not a scaling target (marathon, swarm)`,
    );
  }
  const url = optional(env, SHEPHERD_KEYS.marathonUrl);
  if (!url) {
    throw new ServiceConfigError(
      SHEPHERD_KEYS.marathonUrl,
      'is required when SHEPHERD_TARGET=marathon',
    );
  }
  httpUrl(SHEPHERD_KEYS.marathonUrl, url);
  return { kind, url, token: optional(env, SHEPHERD_KEYS.marathonToken) };
}

function optional(env: NodeJS.ProcessEnv, key: string): string | undefined {
  const value = env[key]?.trim();
  return value ? value : undefined;
}

function integer(env: NodeJS.ProcessEnv, key: string, fallback: number, min: number): number {
  const raw = optional(env, key);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new ServiceConfigError(key, `"${raw}" is not an integer ≥ ${min}`);
  }
  return value;
}

function httpUrl(key: string, value: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ServiceConfigError(key, 'is not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ServiceConfigError(key, 'must start with http: or https:');
  }
}
