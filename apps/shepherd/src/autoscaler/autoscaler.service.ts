import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationShutdown, Optional } from '@nestjs/common';
import { DataSource, LessThan, Not } from 'typeorm';
import { InjectServiceDataSource } from '@herd/database';
import {
  LAG_SOURCE,
  SCALING_TARGET,
  SHEPHERD_CONFIG,
  SHEPHERD_SERVICE,
} from '../shepherd.constants';
import { ShepherdConfig } from '../config/shepherd-config';
import { HerdInstance } from '../herd/herd-instance';
import { ConsumerLagSource } from '../lag/consumer-lag.source';
import { InstanceUsage } from '../metrics/metric-sample';
import { Autoscaler } from './core/autoscaler';
import { AppObservation, ScalingDecision } from './core/scaling-decision';
import { BacklogRule, ScalingPolicy } from './core/scaling-policy';
import { DecisionOutcome, ScalingDecisionEntity } from './scaling-decision.entity';
import { ScalingTarget } from './targets/scaling-target';

const MIB = 1024 * 1024;

/** One app after one cycle: what was seen and what was decided. */
export interface AppScalingView {
  readonly policy: ScalingPolicy;
  readonly observation: AppObservation;
  readonly decision: ScalingDecision;
  readonly outcome: DecisionOutcome;
}

export interface DecisionQuery {
  readonly app?: string;
  /** Only scale-outs and scale-ins (applied, failed or observed), no "none". */
  readonly acted?: boolean;
  readonly limit: number;
}

/**
 * Runs the autoscaler's rules once per cycle for every policy, applies what they decide to the
 * scaling target and stores every decision with its reason and outcome.
 */
@Injectable()
export class AutoscalerService implements OnApplicationShutdown {
  private readonly logger = new Logger(AutoscalerService.name);
  private readonly autoscaler = new Autoscaler();
  private lastPrune = 0;

  constructor(
    @Inject(SHEPHERD_CONFIG) private readonly config: ShepherdConfig,
    @InjectServiceDataSource(SHEPHERD_SERVICE) private readonly dataSource: DataSource,
    @Optional() @Inject(SCALING_TARGET) private readonly target?: ScalingTarget,
    @Optional() @Inject(LAG_SOURCE) private readonly lag?: ConsumerLagSource,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.lag?.close();
  }

  get targetDescription(): string {
    return this.target?.description ?? 'none: decisions are made and shown, never applied';
  }

  get policies(): readonly ScalingPolicy[] {
    return this.config.policies;
  }

  /** The metrics the backlog rules read: what the metrics source is asked for every cycle. */
  get backlogMetrics(): string[] {
    return [...new Set(this.config.policies.flatMap((p) => (p.backlog ? [p.backlog.metric] : [])))];
  }

  async cycle(
    at: number,
    herd: readonly HerdInstance[],
    usage: ReadonlyMap<string, InstanceUsage>,
  ): Promise<AppScalingView[]> {
    const views: AppScalingView[] = [];
    for (const policy of this.config.policies) {
      views.push(await this.scale(policy, at, herd, usage));
    }
    await this.prune(at);
    return views;
  }

  async decisions(query: DecisionQuery): Promise<ScalingDecisionEntity[]> {
    return this.dataSource.getRepository(ScalingDecisionEntity).find({
      where: {
        ...(query.app ? { app: query.app } : {}),
        ...(query.acted ? { action: Not('none') } : {}),
      },
      order: { decidedAt: 'DESC' },
      take: query.limit,
    });
  }

  private async scale(
    policy: ScalingPolicy,
    at: number,
    herd: readonly HerdInstance[],
    usage: ReadonlyMap<string, InstanceUsage>,
  ): Promise<AppScalingView> {
    const members = herd.filter((i) => i.service === policy.app);
    const passing = members.filter((i) => i.health === 'passing');
    let status: { instances: number; inFlight: boolean } | undefined;
    let targetError: string | undefined;
    try {
      status = this.target
        ? await this.target.status(policy.app)
        : { instances: passing.length, inFlight: false };
    } catch (error) {
      targetError = (error as Error).message;
    }
    const readings = passing.map((i) => usage.get(i.id)).filter((u) => u !== undefined);
    const observation: AppObservation = {
      at,
      instances: status?.instances ?? passing.length,
      inFlight: status?.inFlight ?? false,
      cpuPercent: mean(
        readings.map((u) => u.cpuCores).filter(defined),
        (cores) => (cores / policy.allocation.cpus) * 100,
      ),
      memoryPercent: mean(
        readings.map((u) => u.memoryBytes).filter(defined),
        (bytes) => (bytes / (policy.allocation.memMb * MIB)) * 100,
      ),
      lag:
        policy.lag && this.lag
          ? await this.lag.groupLag(policy.lag.group, policy.lag.topics)
          : undefined,
      backlog: policy.backlog && backlogOf(policy.backlog, readings),
    };
    if (!status) {
      const decision: ScalingDecision = {
        app: policy.app,
        at,
        action: 'none',
        cause: 'no-data',
        fromInstances: observation.instances,
        toInstances: observation.instances,
        reason: `the target could not be read: ${targetError ?? `it has no app ${policy.app}`}`,
      };
      return this.record(policy, observation, decision, 'held');
    }
    let decision = this.autoscaler.decide(policy, observation);
    let outcome: DecisionOutcome = 'held';
    if (decision.action !== 'none') {
      if (!this.target) {
        outcome = 'observed';
      } else {
        try {
          await this.target.scaleTo(policy.app, decision.toInstances);
          outcome = 'applied';
          this.logger.log(
            `${policy.app}: ${decision.action} ${decision.fromInstances} → ${decision.toInstances}: ${decision.reason}`,
          );
        } catch (error) {
          outcome = 'failed';
          decision = {
            ...decision,
            reason: `${decision.reason}; the target refused: ${(error as Error).message}`,
          };
          this.logger.warn(`${policy.app}: ${decision.reason}`);
        }
      }
    }
    return this.record(policy, observation, decision, outcome);
  }

  private async record(
    policy: ScalingPolicy,
    observation: AppObservation,
    decision: ScalingDecision,
    outcome: DecisionOutcome,
  ): Promise<AppScalingView> {
    await this.dataSource.getRepository(ScalingDecisionEntity).insert({
      id: randomUUID(),
      app: decision.app,
      action: decision.action,
      cause: decision.cause,
      outcome,
      fromInstances: decision.fromInstances,
      toInstances: decision.toInstances,
      reason: decision.reason,
      decidedAt: new Date(decision.at),
    });
    return { policy, observation, decision, outcome };
  }

  private async prune(at: number): Promise<void> {
    if (at - this.lastPrune < 60_000) return;
    this.lastPrune = at;
    await this.dataSource
      .getRepository(ScalingDecisionEntity)
      .delete({ decidedAt: LessThan(new Date(at - this.config.decisionRetentionMs)) });
  }
}

/** undefined when no passing instance serves the metric: "no data", never a backlog of 0. */
function backlogOf(rule: BacklogRule, readings: readonly InstanceUsage[]): number | undefined {
  const values = readings.map((u) => u.metrics.get(rule.metric)).filter(defined);
  if (values.length === 0) return undefined;
  return rule.aggregate === 'max'
    ? Math.max(...values)
    : values.reduce((sum, value) => sum + value, 0);
}

function defined<T>(value: T | undefined): value is T {
  return value !== undefined;
}

function mean(values: readonly number[], scale: (value: number) => number): number | undefined {
  if (values.length === 0) return undefined;
  return values.reduce((sum, v) => sum + scale(v), 0) / values.length;
}
