import { EntityManager } from 'typeorm';
import { defineSaga } from '@herd/saga';
import type { MediaKind } from '@herd/media';
import {
  CODEC_CHANNEL,
  CODEC_COMMANDS,
  DiscardCommand,
  TranscodeCommand,
  TranscodeReply,
} from '@herd/contracts';
import { Courseware } from './courseware.entity';

export interface PublishCoursewareData {
  readonly coursewareId: string;
  readonly kind: MediaKind;
  readonly reply?: TranscodeReply;
}

export const PUBLISH_COURSEWARE_SAGA = 'publish-courseware';
export const RETIRE_COURSEWARE_SAGA = 'retire-courseware';

/** A transcode takes seconds to minutes; the codec answers when it is done (a deferred reply). */
export const TRANSCODE_TIMEOUT_MS = 15 * 60_000;

const discard = {
  command: CODEC_COMMANDS.discard,
  payload: (data: { coursewareId: string }): DiscardCommand => ({
    coursewareId: data.coursewareId,
  }),
};

/**
 * Courseware is published only once the codec has produced every rendition. The row turns
 * PUBLISHING in the same transaction that starts the saga; a failure anywhere rejects it (the
 * saga's failure reason is shown) and makes the codec discard what it produced.
 */
export const publishCoursewareSaga = defineSaga<PublishCoursewareData>(PUBLISH_COURSEWARE_SAGA, 2)
  .local('accept', {
    run: () => undefined,
    compensate: (data, manager) => update(manager, data.coursewareId, { status: 'REJECTED' }),
  })
  .remote('transcode', {
    channel: CODEC_CHANNEL,
    command: CODEC_COMMANDS.transcode,
    payload: (data): TranscodeCommand => ({ coursewareId: data.coursewareId, kind: data.kind }),
    onReply: (data, reply) => ({ ...data, reply: reply as TranscodeReply }),
    compensate: discard,
    timeoutMs: TRANSCODE_TIMEOUT_MS,
  })
  .local('publish', {
    run: (data, manager) =>
      update(manager, data.coursewareId, {
        status: 'PUBLISHED',
        durationSeconds: data.reply?.durationSeconds ?? null,
        renditions: [...(data.reply?.renditions ?? [])],
      }),
  })
  .build();

/** A deleted courseware's renditions are removed by the codec, which owns them. */
export const retireCoursewareSaga = defineSaga<{ coursewareId: string }>(RETIRE_COURSEWARE_SAGA, 1)
  .remote('discard', { channel: CODEC_CHANNEL, ...discard, timeoutMs: 60_000 })
  .build();

async function update(
  manager: EntityManager,
  coursewareId: string,
  changes: Partial<Pick<Courseware, 'status' | 'renditions' | 'durationSeconds'>>,
): Promise<void> {
  await manager.update(Courseware, { id: coursewareId }, changes);
}
