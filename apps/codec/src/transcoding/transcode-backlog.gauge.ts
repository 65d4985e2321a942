import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Gauge } from 'prom-client';
import { herdGauge } from '@herd/health';
import { CODEC_METRICS } from '../codec.constants';
import { TranscodeJobs } from './transcode-jobs';

/**
 * The live codec apps of this process, newest last. prom-client's register is global, so the
 * gauge (made once) reads through whichever is newest: several codec apps share one process only
 * in tests.
 */
const live: TranscodeBacklogGauge[] = [];

/**
 * `herd_codec_transcode_jobs{state}` on /metrics: the jobs waiting and in hand, counted in the
 * jobs table when /metrics is scraped. Codec answers a transcode command at once and queues the
 * work, so its consumer lag stays near 0 while jobs pile up: this is what an autoscaler reads
 * instead (the shepherd's backlog rule). When the table cannot be read the gauge has no series,
 * so a reader sees "no data", never a stale or empty backlog.
 */
@Injectable()
export class TranscodeBacklogGauge implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(TranscodeBacklogGauge.name);

  constructor(private readonly jobs: TranscodeJobs) {}

  onApplicationBootstrap(): void {
    backlogGauge();
    live.push(this);
  }

  onApplicationShutdown(): void {
    live.splice(live.indexOf(this), 1);
  }

  async collect(gauge: Gauge<'state'>): Promise<void> {
    try {
      const { queued, running } = await this.jobs.backlog();
      gauge.set({ state: 'queued' }, queued);
      gauge.set({ state: 'running' }, running);
    } catch (error) {
      this.logger.warn(`jobs table not read for /metrics: ${(error as Error).message}`);
    }
  }
}

function backlogGauge(): Gauge<'state'> {
  return herdGauge({
    name: CODEC_METRICS.transcodeJobs,
    help: 'Transcode jobs not done yet in the jobs table all codec instances share, by state',
    labelNames: ['state'],
    async collect() {
      this.reset();
      await live.at(-1)?.collect(this);
    },
  });
}
