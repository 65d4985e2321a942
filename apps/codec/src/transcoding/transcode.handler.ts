import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import {
  DeferredReply,
  SagaCommandContext,
  SagaCommandHandler,
  deferReply,
  pendingCommand,
} from '@herd/saga';
import {
  CODEC_CHANNEL,
  CODEC_COMMANDS,
  DiscardCommand,
  TranscodeCommand,
  TranscodeReply,
  discardCommandSchema,
  transcodeCommandSchema,
} from '@herd/contracts';
import { SourceMediaError } from '../errors/source-media.error';
import { MediaStorage } from '../renditions/media-storage';
import { TranscodeJob } from './transcode-job.entity';

/**
 * The codec's part in the publish saga. A transcode command only records a job (with the inbox
 * id, in one transaction) and defers its reply: the work happens in TranscodeWorker. One job per
 * courseware: a later command for the same courseware is answered from the job it already has.
 */
@Injectable()
export class TranscodeHandler {
  constructor(private readonly storage: MediaStorage) {}

  @SagaCommandHandler(CODEC_COMMANDS.transcode, {
    channel: CODEC_CHANNEL,
    schema: transcodeCommandSchema,
  })
  async transcode(
    command: TranscodeCommand,
    { manager, envelope }: SagaCommandContext,
  ): Promise<TranscodeReply | DeferredReply> {
    const job = await manager.findOneBy(TranscodeJob, { coursewareId: command.coursewareId });
    const waiting = { command: pendingCommand(envelope) };
    if (!job) {
      await manager.insert(TranscodeJob, {
        id: randomUUID(),
        coursewareId: command.coursewareId,
        kind: command.kind,
        status: 'PENDING',
        attempts: 0,
        progress: 0,
        ...waiting,
      });
      return deferReply();
    }
    switch (job.status) {
      case 'DONE':
        return {
          jobId: job.id,
          durationSeconds: job.durationSeconds ?? 0,
          renditions: job.renditions ?? [],
        };
      case 'FAILED':
        throw new SourceMediaError(job.failureReason ?? 'the transcode failed');
      case 'DISCARDED':
        await manager.update(
          TranscodeJob,
          { id: job.id },
          { ...waiting, status: 'PENDING', kind: command.kind, attempts: 0, leaseUntil: null },
        );
        return deferReply();
      default:
        // Still at work: the reply goes to the command the saga now waits for.
        await manager.update(TranscodeJob, { id: job.id }, waiting);
        return deferReply();
    }
  }

  @SagaCommandHandler(CODEC_COMMANDS.discard, {
    channel: CODEC_CHANNEL,
    schema: discardCommandSchema,
  })
  async discard(command: DiscardCommand, { manager }: SagaCommandContext): Promise<void> {
    const job = await manager.findOneBy(TranscodeJob, { coursewareId: command.coursewareId });
    if (!job) return;
    // A worker still at it loses its lease with this; one finishing now waits on the row lock.
    await manager.update(
      TranscodeJob,
      { id: job.id },
      { status: 'DISCARDED', leaseOwner: null, leaseUntil: null, renditions: null },
    );
    await this.storage.discard(job.id);
  }
}
