import { PayloadSchema, validatedBy } from '@herd/saga';

/**
 * The codec service's saga API: the one thing courseware and codec share. Payloads carry ids and
 * plain data only, never rows of the other service's database.
 */
export const CODEC_CHANNEL = 'codec.commands';

export const CODEC_COMMANDS = {
  transcode: 'codec.transcode',
  discard: 'codec.discard',
} as const;

export const SOURCE_FORMATS = ['wav', 'mp4', 'mov', 'pdf', 'pptx'] as const;
export const RENDITION_TARGETS = ['mp3-128k', 'mp4-720p', 'mp4-360p', 'hls', 'thumbnail'] as const;
export type SourceFormat = (typeof SOURCE_FORMATS)[number];
export type RenditionTarget = (typeof RENDITION_TARGETS)[number];

export interface TranscodeCommand {
  /** The courseware's id in the courseware service: an external reference, not a key here. */
  readonly coursewareId: string;
  readonly source: { readonly uri: string; readonly format: SourceFormat };
  readonly targets: readonly RenditionTarget[];
}

export interface Rendition {
  readonly target: RenditionTarget;
  readonly uri: string;
  readonly bytes: number;
  readonly sha256: string;
}

export interface TranscodeReply {
  readonly jobId: string;
  readonly renditions: readonly Rendition[];
}

export interface DiscardCommand {
  readonly coursewareId: string;
}

const isRecord = (input: unknown): input is Record<string, unknown> =>
  typeof input === 'object' && input !== null && !Array.isArray(input);

export const transcodeCommandSchema: PayloadSchema<TranscodeCommand> = validatedBy((input) => {
  if (!isRecord(input)) return ['payload must be an object'];
  const problems: string[] = [];
  if (typeof input.coursewareId !== 'string' || !input.coursewareId) {
    problems.push('coursewareId must be a non-empty string');
  }
  const source = input.source;
  if (!isRecord(source) || typeof source.uri !== 'string') {
    problems.push('source.uri must be a string');
  } else if (!SOURCE_FORMATS.includes(source.format as SourceFormat)) {
    problems.push(`source.format must be one of ${SOURCE_FORMATS.join(', ')}`);
  }
  const targets = input.targets;
  if (
    !Array.isArray(targets) ||
    targets.length === 0 ||
    !targets.every((t) => RENDITION_TARGETS.includes(t as RenditionTarget))
  ) {
    problems.push(`targets must be a non-empty list of ${RENDITION_TARGETS.join(', ')}`);
  }
  return problems;
});

export const discardCommandSchema: PayloadSchema<DiscardCommand> = validatedBy((input) =>
  isRecord(input) && typeof input.coursewareId === 'string' && input.coursewareId
    ? []
    : ['coursewareId must be a non-empty string'],
);
