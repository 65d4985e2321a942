import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import type { DecisionCause, ScalingAction } from './core/scaling-decision';

/**
 * applied: the target took it; failed: the target refused or could not be reached;
 * held: the decision was not to act; observed: no target is configured, nothing was applied.
 */
export type DecisionOutcome = 'applied' | 'failed' | 'held' | 'observed';

/** Every cycle's decision per app, kept for SHEPHERD_DECISION_RETENTION_MS. */
@Entity({ name: 'scaling_decision' })
@Index('IDX_scaling_decision_app_decided', ['app', 'decidedAt'])
export class ScalingDecisionEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 63 })
  app: string;

  @Column({ type: 'varchar', length: 16 })
  action: ScalingAction;

  @Column({ type: 'varchar', length: 16 })
  cause: DecisionCause;

  @Column({ type: 'varchar', length: 16 })
  outcome: DecisionOutcome;

  @Column({ name: 'from_instances', type: 'integer' })
  fromInstances: number;

  @Column({ name: 'to_instances', type: 'integer' })
  toInstances: number;

  @Column({ type: 'text' })
  reason: string;

  @CreateDateColumn({ name: 'decided_at' })
  decidedAt: Date;
}
