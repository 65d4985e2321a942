import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { SagaReplier } from '@herd/saga';
import type { TranscodeReply } from '@herd/contracts';
import { CODEC_DEFAULTS, CODEC_OPTIONS } from '../codec.constants';
import type { CodecOptions } from '../codec-options';
import { SourceMediaError } from '../errors/source-media.error';
import { MediaStorage } from '../renditions/media-storage';
import { MediaTranscoder } from '../renditions/media-transcoder';
import { SourceFetcher } from './source-fetcher';
import { ClaimedJob, TranscodeJobs } from './transcode-jobs';

/**
 * Takes jobs from the shared queue one at a time, outside any transaction and outside the saga
 * consumer: fetch the original, transcode, then in one transaction publish the renditions, mark
 * the job DONE and write the saga reply — only while the lease is still this worker's. A worker
 * that dies stops renewing; another instance claims the job when the lease runs out and starts
 * it over, so each job ends exactly once.
 */
@Injectable()
export class TranscodeWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(TranscodeWorker.name);
  private stopping = false;
  private loop?: Promise<void>;
  private current?: AbortController;
  private readonly idle = new AbortController();

  constructor(
    private readonly jobs: TranscodeJobs,
    private readonly storage: MediaStorage,
    private readonly fetcher: SourceFetcher,
    private readonly transcoder: MediaTranscoder,
    private readonly replier: SagaReplier,
    @Inject(CODEC_OPTIONS) private readonly options: CodecOptions,
  ) {}

  onApplicationBootstrap(): void {
    this.loop = this.run();
  }

  /** Drain: the job in hand is stopped and handed back, so another instance takes it at once. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    this.idle.abort();
    this.current?.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      let job: ClaimedJob | undefined;
      try {
        job = await this.jobs.claim(this.options.workerId, this.options.jobLeaseMs);
      } catch (error) {
        this.logger.warn(`could not claim a job: ${(error as Error).message}`);
      }
      if (job) await this.work(job);
      else
        await sleep(this.options.jobPollMs, undefined, { signal: this.idle.signal }).catch(
          () => undefined,
        );
    }
  }

  private async work(job: ClaimedJob): Promise<void> {
    if (job.attempts > CODEC_DEFAULTS.maxAttempts) {
      await this.fail(
        job,
        `gave up after ${CODEC_DEFAULTS.maxAttempts} attempts that never finished`,
      );
      return;
    }
    this.logger.log(
      `job ${job.id} (courseware ${job.coursewareId}, ${job.kind}): attempt ${job.attempts}`,
    );
    const abort = new AbortController();
    this.current = abort;
    let progress = 0;
    const renewal = setInterval(
      () => {
        this.jobs
          .renew(job, this.options.jobLeaseMs, progress * 100)
          .then((held) => {
            if (!held) abort.abort();
          })
          .catch((error: Error) => this.logger.warn(`lease renewal failed: ${error.message}`));
      },
      Math.max(200, Math.floor(this.options.jobLeaseMs / 3)),
    );
    try {
      const folder = await this.storage.startAttempt(job.id, job.attempts);
      const source = join(folder, 'source');
      const output = join(folder, 'renditions');
      await mkdir(output);
      await this.fetcher.fetch(job.coursewareId, source, this.options.maxSourceBytes, abort.signal);
      const result = await this.transcoder.transcode(job.kind, source, output, {
        timeoutMs: this.options.ffmpegTimeoutMs,
        signal: abort.signal,
        onProgress: (fraction) => (progress = fraction),
      });
      const reply: TranscodeReply = {
        jobId: job.id,
        durationSeconds: result.durationSeconds,
        renditions: result.renditions.map(({ file, ...rendition }) => ({
          ...rendition,
          path: `/renditions/${job.id}/${file}`,
        })),
      };
      const settled = await this.jobs.settle(
        job,
        {
          status: 'DONE',
          renditions: [...reply.renditions],
          durationSeconds: reply.durationSeconds,
          progress: 100,
          leaseUntil: null,
        },
        async (manager) => {
          await this.storage.publish(job.id, output);
          await this.replier.succeed(manager, job.command, reply);
        },
      );
      this.logger.log(`job ${job.id}: ${settled ? 'done' : 'lease lost, output dropped'}`);
    } catch (error) {
      await this.failed(job, error as Error, abort.signal.aborted);
    } finally {
      clearInterval(renewal);
      this.current = undefined;
      await this.storage.clearAttempts(job.id).catch(() => undefined);
    }
  }

  private async failed(job: ClaimedJob, error: Error, aborted: boolean): Promise<void> {
    if (aborted) {
      // Stopping: hand the job back now. Lost lease: someone else owns it; change nothing.
      if (this.stopping) await this.settleQuietly(job, { status: 'PENDING', leaseUntil: null });
      return;
    }
    if (error instanceof SourceMediaError) {
      await this.fail(job, error.message);
    } else if (job.attempts >= CODEC_DEFAULTS.maxAttempts) {
      await this.fail(job, `gave up after ${job.attempts} attempts: ${error.message}`);
    } else {
      this.logger.warn(`job ${job.id}: ${error.message}; retrying later`);
      await this.settleQuietly(job, {
        status: 'PENDING',
        leaseUntil: Date.now() + CODEC_DEFAULTS.retryDelayMs * 2 ** (job.attempts - 1),
      });
    }
  }

  private async fail(job: ClaimedJob, reason: string): Promise<void> {
    this.logger.log(`job ${job.id} failed: ${reason}`);
    await this.settleQuietly(
      job,
      { status: 'FAILED', failureReason: reason.slice(0, 1000), leaseUntil: null },
      (manager) => this.replier.fail(manager, job.command, reason),
    );
  }

  /** A failed write here leaves the lease to run out: the job is then claimed again. */
  private async settleQuietly(...args: Parameters<TranscodeJobs['settle']>): Promise<void> {
    await this.jobs
      .settle(...args)
      .catch((error: Error) => this.logger.warn(`job ${args[0].id} not settled: ${error.message}`));
  }
}
