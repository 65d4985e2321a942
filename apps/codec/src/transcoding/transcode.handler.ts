import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { SagaCommandContext, SagaCommandHandler } from '@herd/saga';
import {
  CODEC_CHANNEL,
  CODEC_COMMANDS,
  DiscardCommand,
  TranscodeCommand,
  TranscodeReply,
  discardCommandSchema,
  transcodeCommandSchema,
} from '@herd/contracts';
import { FileTranscoder } from './file-transcoder';
import { TranscodeJob } from './transcode-job.entity';

/** The codec's part in the publish saga. The inbox makes a redelivered command a no-op. */
@Injectable()
export class TranscodeHandler {
  constructor(private readonly transcoder: FileTranscoder) {}

  @SagaCommandHandler(CODEC_COMMANDS.transcode, {
    channel: CODEC_CHANNEL,
    schema: transcodeCommandSchema,
  })
  async transcode(
    command: TranscodeCommand,
    { manager }: SagaCommandContext,
  ): Promise<TranscodeReply> {
    const renditions = await this.transcoder.transcode(command);
    const job = manager.create(TranscodeJob, {
      id: randomUUID(),
      coursewareId: command.coursewareId,
      status: 'DONE',
      renditions,
    });
    await manager.upsert(TranscodeJob, job, ['coursewareId']);
    return { jobId: job.id, renditions };
  }

  @SagaCommandHandler(CODEC_COMMANDS.discard, {
    channel: CODEC_CHANNEL,
    schema: discardCommandSchema,
  })
  async discard(command: DiscardCommand, { manager }: SagaCommandContext): Promise<void> {
    await this.transcoder.discard(command.coursewareId);
    await manager.update(
      TranscodeJob,
      { coursewareId: command.coursewareId },
      { status: 'DISCARDED' },
    );
  }
}
