import { EntityManager } from 'typeorm';
import { defineSaga } from '@herd/saga';
import {
  CODEC_CHANNEL,
  CODEC_COMMANDS,
  DiscardCommand,
  Rendition,
  TranscodeCommand,
  TranscodeReply,
} from '@herd/contracts';
import { Courseware } from './courseware.entity';

export interface PublishCoursewareData {
  readonly coursewareId: string;
  readonly source: TranscodeCommand['source'];
  readonly targets: TranscodeCommand['targets'];
  readonly renditions?: readonly Rendition[];
}

export const PUBLISH_COURSEWARE_SAGA = 'publish-courseware';

/**
 * Courseware is published only once the codec has produced every rendition. The row is written
 * PUBLISHING in the same transaction that starts the saga; a failure anywhere rejects it and
 * makes the codec discard what it produced.
 */
export const publishCoursewareSaga = defineSaga<PublishCoursewareData>(PUBLISH_COURSEWARE_SAGA, 1)
  .local('accept', {
    run: () => undefined,
    compensate: (data, manager) => setStatus(manager, data.coursewareId, { status: 'REJECTED' }),
  })
  .remote('transcode', {
    channel: CODEC_CHANNEL,
    command: CODEC_COMMANDS.transcode,
    payload: (data): TranscodeCommand => ({
      coursewareId: data.coursewareId,
      source: data.source,
      targets: data.targets,
    }),
    onReply: (data, reply) => ({ ...data, renditions: (reply as TranscodeReply).renditions }),
    compensate: {
      command: CODEC_COMMANDS.discard,
      payload: (data): DiscardCommand => ({ coursewareId: data.coursewareId }),
    },
    timeoutMs: 60_000,
  })
  .local('publish', {
    run: (data, manager) =>
      setStatus(manager, data.coursewareId, {
        status: 'PUBLISHED',
        renditions: [...(data.renditions ?? [])],
      }),
  })
  .build();

async function setStatus(
  manager: EntityManager,
  coursewareId: string,
  changes: Pick<Courseware, 'status'> & Partial<Pick<Courseware, 'renditions'>>,
): Promise<void> {
  await manager.update(Courseware, { id: coursewareId }, changes);
}
