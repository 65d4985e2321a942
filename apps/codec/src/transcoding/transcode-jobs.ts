import { Injectable } from '@nestjs/common';
import { Brackets, DataSource, EntityManager } from 'typeorm';
import { InjectServiceDataSource } from '@herd/database';
import { CODEC_SERVICE } from '../codec.constants';
import { TranscodeJob } from './transcode-job.entity';

/** What a worker holds while it works on a job: the row as claimed, with its lease. */
export type ClaimedJob = TranscodeJob & { readonly leaseOwner: string };

/**
 * The job table as a work queue shared by every codec instance. A claim takes one claimable row
 * with `FOR UPDATE SKIP LOCKED` (PostgreSQL; SQLite serialises writers), so two instances never
 * claim the same job; every later write of the worker is conditional on still holding the lease,
 * so a worker that lost it (crashed, stalled, or the job was discarded) changes nothing.
 */
@Injectable()
export class TranscodeJobs {
  constructor(@InjectServiceDataSource(CODEC_SERVICE) private readonly dataSource: DataSource) {}

  /** The next PENDING job, or a RUNNING one whose worker stopped renewing its lease. */
  async claim(owner: string, leaseMs: number): Promise<ClaimedJob | undefined> {
    return this.dataSource.transaction(async (manager) => {
      const now = Date.now();
      const query = manager
        .getRepository(TranscodeJob)
        .createQueryBuilder('job')
        .where(
          new Brackets((claimable) =>
            claimable
              .where("job.status = 'PENDING' AND (job.leaseUntil IS NULL OR job.leaseUntil < :now)")
              .orWhere("job.status = 'RUNNING' AND job.leaseUntil < :now"),
          ),
          { now },
        )
        .orderBy('job.createdAt', 'ASC')
        .limit(1);
      if (this.dataSource.options.type === 'postgres') {
        query.setLock('pessimistic_write').setOnLocked('skip_locked');
      }
      const job = await query.getOne();
      if (!job) return undefined;
      const claimed = {
        status: 'RUNNING' as const,
        leaseOwner: owner,
        leaseUntil: now + leaseMs,
        attempts: job.attempts + 1,
        progress: 0,
      };
      await manager.update(TranscodeJob, { id: job.id }, claimed);
      return Object.assign(job, claimed);
    });
  }

  /** The jobs not done yet: PENDING (a retry's wait included) and RUNNING (a dead worker's too). */
  async backlog(): Promise<{ queued: number; running: number }> {
    const rows = await this.dataSource
      .getRepository(TranscodeJob)
      .createQueryBuilder('job')
      .select('job.status', 'status')
      .addSelect('COUNT(*)', 'count')
      .where("job.status IN ('PENDING', 'RUNNING')")
      .groupBy('job.status')
      .getRawMany<{ status: string; count: string | number }>();
    const count = (status: string) => Number(rows.find((r) => r.status === status)?.count ?? 0);
    return { queued: count('PENDING'), running: count('RUNNING') };
  }

  /** Extends the lease and records progress; false when the lease is no longer this worker's. */
  async renew(job: ClaimedJob, leaseMs: number, progress: number): Promise<boolean> {
    const result = await this.dataSource.manager.update(
      TranscodeJob,
      { id: job.id, status: 'RUNNING', leaseOwner: job.leaseOwner },
      { leaseUntil: Date.now() + leaseMs, progress: Math.round(progress) },
    );
    return result.affected === 1;
  }

  /**
   * Runs `effects` in the transaction that moves the job out of RUNNING, only while the lease is
   * still this worker's (the conditional update holds the row until commit). False: lost it.
   */
  async settle(
    job: ClaimedJob,
    changes: Partial<
      Pick<
        TranscodeJob,
        'status' | 'renditions' | 'durationSeconds' | 'failureReason' | 'leaseUntil' | 'progress'
      >
    >,
    effects: (manager: EntityManager) => Promise<void> = async () => undefined,
  ): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const result = await manager.update(
        TranscodeJob,
        { id: job.id, status: 'RUNNING', leaseOwner: job.leaseOwner },
        { leaseOwner: null, ...changes },
      );
      if (result.affected !== 1) return false;
      await effects(manager);
      return true;
    });
  }
}
