import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { Rendition } from '@herd/contracts';

export const COURSEWARE_STATUSES = ['PUBLISHING', 'PUBLISHED', 'REJECTED'] as const;
export type CoursewareStatus = (typeof COURSEWARE_STATUSES)[number];

@Entity({ name: 'courseware' })
export class Courseware {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 200 })
  title: string;

  @Column({ name: 'source_uri', type: 'varchar', length: 2048 })
  sourceUri: string;

  @Column({ name: 'source_format', type: 'varchar', length: 16 })
  sourceFormat: string;

  @Column({ type: 'simple-json' })
  targets: string[];

  @Column({ type: 'varchar', length: 16 })
  status: CoursewareStatus;

  /** What the codec service produced, copied here as plain data: never a key into its database. */
  @Column({ type: 'simple-json', nullable: true })
  renditions: Rendition[] | null;

  /** The publish saga's id: the courseware's link to its state in the orchestrator. */
  @Column({ name: 'saga_id', type: 'varchar', length: 36 })
  sagaId: string;

  @CreateDateColumn({ name: 'created_at' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at' })
  updatedAt: Date;
}
