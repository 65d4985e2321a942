import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { MediaKind } from '@herd/media';
import type { PendingCommand } from '@herd/saga';
import type { Rendition } from '@herd/contracts';

export const TRANSCODE_JOB_STATUSES = [
  'PENDING',
  'RUNNING',
  'DONE',
  'FAILED',
  'DISCARDED',
] as const;
export type TranscodeJobStatus = (typeof TRANSCODE_JOB_STATUSES)[number];

const epochMs = {
  to: (value: number | null) => value,
  from: (value: string | number | null) => (value === null ? null : Number(value)),
};

/**
 * One transcode of one courseware, and the work queue: any codec instance claims a PENDING job,
 * or a RUNNING one whose lease ran out (its worker died), and renews the lease while it works.
 * `coursewareId` is the courseware service's id: no FK.
 */
@Entity({ name: 'transcode_job' })
@Index('IDX_transcode_job_claimable', ['status', 'leaseUntil'])
export class TranscodeJob {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'courseware_id', type: 'varchar', length: 36, unique: true })
  coursewareId: string;

  @Column({ type: 'varchar', length: 16 })
  kind: MediaKind;

  @Column({ type: 'varchar', length: 16 })
  status: TranscodeJobStatus;

  /** The saga command to answer when the work ends (written with the inbox id). */
  @Column({ type: 'simple-json' })
  command: PendingCommand;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ name: 'lease_owner', type: 'varchar', length: 200, nullable: true })
  leaseOwner: string | null;

  /** Epoch ms: RUNNING until then; for PENDING, not claimable before then (a retry's delay). */
  @Column({ name: 'lease_until', type: 'bigint', nullable: true, transformer: epochMs })
  leaseUntil: number | null;

  /** 0–100, renewed with the lease. */
  @Column({ type: 'integer', default: 0 })
  progress: number;

  @Column({ name: 'duration_seconds', type: 'double precision', nullable: true })
  durationSeconds: number | null;

  @Column({ type: 'simple-json', nullable: true })
  renditions: Rendition[] | null;

  @Column({ name: 'failure_reason', type: 'varchar', length: 1000, nullable: true })
  failureReason: string | null;

  @CreateDateColumn({ name: 'created_at' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at' })
  updatedAt: Date;
}
