import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { jobsDatabase } from '../testing/jobs-database';
import { isDeferredReply, type SagaEnvelope } from '@herd/saga';
import { SourceMediaError } from '../errors/source-media.error';
import type { MediaStorage } from '../renditions/media-storage';
import { TranscodeHandler } from './transcode.handler';
import { TranscodeJob } from './transcode-job.entity';

describe('TranscodeHandler', () => {
  let dataSource: DataSource;
  let discarded: string[];
  let handler: TranscodeHandler;
  const coursewareId = randomUUID();

  const envelope = (): SagaEnvelope => ({
    envelope: 1,
    id: randomUUID(),
    kind: 'command',
    type: 'codec.transcode',
    sagaId: randomUUID(),
    sagaType: 'publish-courseware',
    definitionVersion: 2,
    timestamp: Date.now(),
    correlationId: coursewareId,
    causationId: null,
    traceparent: `00-${'1'.repeat(32)}-${'2'.repeat(16)}-01`,
    replyTo: 'courseware.saga-replies',
    payload: null,
  });
  const transcode = (command = envelope()) =>
    dataSource.transaction((manager) =>
      handler.transcode({ coursewareId, kind: 'audio' }, { manager, envelope: command }),
    );
  const job = () => dataSource.getRepository(TranscodeJob).findOneByOrFail({ coursewareId });

  beforeEach(async () => {
    dataSource = await jobsDatabase();
    discarded = [];
    const storage = { discard: async (jobId: string) => void discarded.push(jobId) };
    handler = new TranscodeHandler(storage as unknown as MediaStorage);
  });

  afterEach(() => dataSource.destroy());

  it('records one job and defers the reply; a later command re-targets the same job', async () => {
    const first = envelope();
    expect(isDeferredReply(await transcode(first))).toBe(true);
    expect(await job()).toMatchObject({ status: 'PENDING', command: { id: first.id } });
    const second = envelope();
    expect(isDeferredReply(await transcode(second))).toBe(true);
    expect(await dataSource.getRepository(TranscodeJob).count()).toBe(1);
    expect((await job()).command.id).toBe(second.id);
  });

  it('answers at once from a finished job, and refuses again for a failed one', async () => {
    await transcode();
    const { id } = await job();
    await dataSource.getRepository(TranscodeJob).update(
      { id },
      {
        status: 'DONE',
        durationSeconds: 2,
        renditions: [],
      },
    );
    expect(await transcode()).toEqual({ jobId: id, durationSeconds: 2, renditions: [] });
    await dataSource.getRepository(TranscodeJob).update(
      { id },
      {
        status: 'FAILED',
        failureReason: 'moov atom not found',
      },
    );
    await expect(transcode()).rejects.toEqual(new SourceMediaError('moov atom not found'));
  });

  it('discards: the job leaves the queue and its renditions go', async () => {
    await transcode();
    const { id } = await job();
    await dataSource.transaction((manager) =>
      handler.discard({ coursewareId }, { manager, envelope: envelope() }),
    );
    expect(await job()).toMatchObject({ status: 'DISCARDED', leaseOwner: null });
    expect(discarded).toEqual([id]);
    // Nothing to undo is fine too.
    await dataSource.transaction((manager) =>
      handler.discard({ coursewareId: randomUUID() }, { manager, envelope: envelope() }),
    );
  });
});
