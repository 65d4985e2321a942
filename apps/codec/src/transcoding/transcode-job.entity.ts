import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { Rendition } from '@herd/contracts';

export type TranscodeJobStatus = 'DONE' | 'DISCARDED';

/** One transcode of one courseware. `coursewareId` is the courseware service's id: no FK. */
@Entity({ name: 'transcode_job' })
export class TranscodeJob {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'courseware_id', type: 'varchar', length: 36, unique: true })
  coursewareId: string;

  @Column({ type: 'varchar', length: 16 })
  status: TranscodeJobStatus;

  @Column({ type: 'simple-json' })
  renditions: Rendition[];

  @CreateDateColumn({ name: 'created_at' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at' })
  updatedAt: Date;
}
