import { PayloadSchema, validatedBy } from '@herd/saga';
import type { MediaKind } from '@herd/media';

/**
 * The codec service's saga API: the one thing courseware and codec share. Commands carry ids and
 * plain data only, never a path or URL: the codec finds the original by asking the courseware
 * service (by name, through the registry) for the courseware's source.
 */
/** The codec's name in the registry: how courseware finds an instance to play renditions from. */
export const CODEC_SERVICE = 'codec';
export const CODEC_CHANNEL = 'codec.commands';

export const CODEC_COMMANDS = {
  transcode: 'codec.transcode',
  discard: 'codec.discard',
} as const;

export const MEDIA_KINDS = ['audio', 'video'] as const satisfies readonly MediaKind[];

/** What the codec makes of each kind of source. */
export const RENDITIONS = {
  audio: ['aac', 'opus', 'waveform'],
  video: ['h264-360p', 'h264-720p', 'poster'],
} as const satisfies Record<MediaKind, readonly string[]>;

export type RenditionName = (typeof RENDITIONS)[MediaKind][number];

export interface TranscodeCommand {
  /** The courseware's id in the courseware service: an external reference, not a key here. */
  readonly coursewareId: string;
  /** What courseware's ffprobe found in the upload; the codec probes again before trusting it. */
  readonly kind: MediaKind;
}

export interface Rendition {
  readonly name: RenditionName;
  /** Path on the codec service, e.g. `/renditions/<job id>/aac.m4a` (range requests served). */
  readonly path: string;
  readonly mimeType: string;
  /** As ffprobe reads the written file; null for the waveform JSON. */
  readonly codec: string | null;
  readonly durationSeconds: number | null;
  readonly bytes: number;
  readonly width: number | null;
  readonly height: number | null;
}

export interface TranscodeReply {
  readonly jobId: string;
  /** The source's duration, as ffprobe reads it. */
  readonly durationSeconds: number;
  readonly renditions: readonly Rendition[];
}

export interface DiscardCommand {
  readonly coursewareId: string;
}

const UUID = /^[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}$/i;

const isRecord = (input: unknown): input is Record<string, unknown> =>
  typeof input === 'object' && input !== null && !Array.isArray(input);

function onlyKeys(input: Record<string, unknown>, allowed: readonly string[]): string[] {
  return Object.keys(input)
    .filter((key) => !allowed.includes(key))
    .map((key) => `${key} is not part of the command (ids only: no paths or URLs)`);
}

function coursewareIdProblems(input: Record<string, unknown>): string[] {
  return typeof input.coursewareId === 'string' && UUID.test(input.coursewareId)
    ? []
    : ['coursewareId must be a UUID'];
}

export const transcodeCommandSchema: PayloadSchema<TranscodeCommand> = validatedBy((input) => {
  if (!isRecord(input)) return ['payload must be an object'];
  return [
    ...coursewareIdProblems(input),
    ...(MEDIA_KINDS.includes(input.kind as MediaKind)
      ? []
      : [`kind must be one of ${MEDIA_KINDS.join(', ')}`]),
    ...onlyKeys(input, ['coursewareId', 'kind']),
  ];
});

export const discardCommandSchema: PayloadSchema<DiscardCommand> = validatedBy((input) =>
  isRecord(input)
    ? [...coursewareIdProblems(input), ...onlyKeys(input, ['coursewareId'])]
    : ['payload must be an object'],
);
