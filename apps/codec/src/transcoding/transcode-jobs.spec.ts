import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { jobsDatabase } from '../testing/jobs-database';
import type { PendingCommand } from '@herd/saga';
import { TranscodeJob } from './transcode-job.entity';
import { TranscodeJobs } from './transcode-jobs';

const pendingFor = (): PendingCommand => ({
  id: randomUUID(),
  type: 'codec.transcode',
  sagaId: randomUUID(),
  sagaType: 'publish-courseware',
  definitionVersion: 2,
  correlationId: randomUUID(),
  traceparent: `00-${'1'.repeat(32)}-${'2'.repeat(16)}-01`,
  replyTo: 'courseware.saga-replies',
});

describe('TranscodeJobs: the job table as a leased work queue', () => {
  let dataSource: DataSource;
  let jobs: TranscodeJobs;

  beforeEach(async () => {
    dataSource = await jobsDatabase();
    jobs = new TranscodeJobs(dataSource);
  });

  afterEach(() => dataSource.destroy());

  async function pending(): Promise<string> {
    const id = randomUUID();
    await dataSource.getRepository(TranscodeJob).insert({
      id,
      coursewareId: randomUUID(),
      kind: 'audio',
      status: 'PENDING',
      command: pendingFor(),
      attempts: 0,
      progress: 0,
    });
    return id;
  }

  it('gives a pending job to one worker only, until its lease runs out', async () => {
    const id = await pending();
    const first = await jobs.claim('codec-a', 60_000);
    expect(first).toMatchObject({ id, status: 'RUNNING', leaseOwner: 'codec-a', attempts: 1 });
    expect(await jobs.claim('codec-b', 60_000)).toBeUndefined();
    await dataSource.getRepository(TranscodeJob).update({ id }, { leaseUntil: Date.now() - 1 });
    const taken = await jobs.claim('codec-b', 60_000);
    expect(taken).toMatchObject({ id, leaseOwner: 'codec-b', attempts: 2 });
  });

  it('lets only the lease holder renew or settle a job', async () => {
    await pending();
    const stale = (await jobs.claim('codec-a', 1)) as NonNullable<
      Awaited<ReturnType<TranscodeJobs['claim']>>
    >;
    await new Promise((resolve) => setTimeout(resolve, 5));
    const current = await jobs.claim('codec-b', 60_000);
    expect(current?.leaseOwner).toBe('codec-b');
    expect(await jobs.renew(stale, 60_000, 50)).toBe(false);
    let ran = false;
    expect(await jobs.settle(stale, { status: 'DONE' }, async () => void (ran = true))).toBe(false);
    expect(ran).toBe(false);
    expect(await jobs.renew(current as typeof stale, 60_000, 50)).toBe(true);
    expect(await jobs.settle(current as typeof stale, { status: 'DONE' })).toBe(true);
    expect(await dataSource.getRepository(TranscodeJob).findOneBy({ id: stale.id })).toMatchObject({
      status: 'DONE',
      leaseOwner: null,
      progress: 50,
    });
  });

  it('keeps a released job until its retry delay has passed', async () => {
    const id = await pending();
    const job = await jobs.claim('codec-a', 60_000);
    await jobs.settle(job as NonNullable<typeof job>, {
      status: 'PENDING',
      leaseUntil: Date.now() + 60_000,
    });
    expect(await jobs.claim('codec-b', 60_000)).toBeUndefined();
    await dataSource.getRepository(TranscodeJob).update({ id }, { leaseUntil: Date.now() - 1 });
    expect((await jobs.claim('codec-b', 60_000))?.id).toBe(id);
  });
});
