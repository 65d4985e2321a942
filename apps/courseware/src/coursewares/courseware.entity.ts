import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { MediaKind } from '@herd/media';
import type { Rendition } from '@herd/contracts';

/**
 * DRAFT (no original yet) → READY (an original that ffprobe found to be audio or video) →
 * PUBLISHING (the saga runs) → PUBLISHED or REJECTED (compensated; a new upload makes it READY).
 */
export const COURSEWARE_STATUSES = [
  'DRAFT',
  'READY',
  'PUBLISHING',
  'PUBLISHED',
  'REJECTED',
] as const;
export type CoursewareStatus = (typeof COURSEWARE_STATUSES)[number];

/** What ffprobe found in the upload, kept as shown to the user. */
export interface SourceMedia {
  readonly format: string;
  readonly bytes: number;
  readonly durationSeconds: number | null;
  readonly streams: string[];
}

@Entity({ name: 'courseware' })
export class Courseware {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 200 })
  title: string;

  @Column({ type: 'varchar', length: 16 })
  status: CoursewareStatus;

  @Column({ type: 'varchar', length: 16, nullable: true })
  kind: MediaKind | null;

  @Column({ type: 'simple-json', nullable: true })
  source: SourceMedia | null;

  /** Duration of the original as the codec's ffprobe read it. */
  @Column({ name: 'duration_seconds', type: 'double precision', nullable: true })
  durationSeconds: number | null;

  /** What the codec service produced, copied here as plain data: never a key into its database. */
  @Column({ type: 'simple-json', nullable: true })
  renditions: Rendition[] | null;

  /** The publish saga's id: the courseware's link to its state in the orchestrator. */
  @Column({ name: 'saga_id', type: 'varchar', length: 36, nullable: true })
  sagaId: string | null;

  /** The `Idempotency-Key` of the create that made it: a retried create finds this row. */
  @Column({ name: 'idempotency_key', type: 'varchar', length: 200, nullable: true, unique: true })
  idempotencyKey: string | null;

  @CreateDateColumn({ name: 'created_at' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at' })
  updatedAt: Date;
}
