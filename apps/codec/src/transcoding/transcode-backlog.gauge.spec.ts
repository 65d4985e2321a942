import { randomUUID } from 'node:crypto';
import { register } from 'prom-client';
import type { DataSource } from 'typeorm';
import type { PendingCommand } from '@herd/saga';
import { jobsDatabase } from '../testing/jobs-database';
import { TranscodeBacklogGauge } from './transcode-backlog.gauge';
import { TranscodeJob, TranscodeJobStatus } from './transcode-job.entity';
import { TranscodeJobs } from './transcode-jobs';

describe('herd_codec_transcode_jobs: the jobs table on /metrics', () => {
  let dataSource: DataSource;
  let gauge: TranscodeBacklogGauge;

  beforeEach(async () => {
    dataSource = await jobsDatabase();
    gauge = new TranscodeBacklogGauge(new TranscodeJobs(dataSource));
    gauge.onApplicationBootstrap();
  });

  afterEach(async () => {
    gauge.onApplicationShutdown();
    if (dataSource.isInitialized) await dataSource.destroy();
  });

  async function jobs(status: TranscodeJobStatus, count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      await dataSource.getRepository(TranscodeJob).insert({
        id: randomUUID(),
        coursewareId: randomUUID(),
        kind: 'audio',
        status,
        command: { id: randomUUID() } as PendingCommand,
        attempts: 0,
        progress: 0,
      });
    }
  }

  const served = async () =>
    (await register.metrics()).split('\n').filter((l) => l.startsWith('herd_codec_transcode_jobs'));

  it('counts the jobs queued and in hand when scraped, never the finished ones', async () => {
    expect(await served()).toEqual([
      'herd_codec_transcode_jobs{state="queued"} 0',
      'herd_codec_transcode_jobs{state="running"} 0',
    ]);
    await jobs('PENDING', 3);
    await jobs('RUNNING', 1);
    await jobs('DONE', 4);
    await jobs('FAILED', 1);
    await jobs('DISCARDED', 1);
    expect(await served()).toEqual([
      'herd_codec_transcode_jobs{state="queued"} 3',
      'herd_codec_transcode_jobs{state="running"} 1',
    ]);
  });

  it('serves no figure rather than a stale one when the table cannot be read', async () => {
    await jobs('PENDING', 2);
    expect(await served()).toContain('herd_codec_transcode_jobs{state="queued"} 2');
    await dataSource.destroy();
    expect(await served()).toEqual([]);
    expect(await register.metrics()).toContain('# TYPE herd_codec_transcode_jobs gauge');
  });
});
