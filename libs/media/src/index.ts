export { ffmpegVersion, runMediaTool } from './media-tools';
export type { MediaTool, MediaToolRunOptions } from './media-tools';
export {
  ACCEPTED_DEMUXERS,
  INPUT_PROTOCOLS,
  classifyMedia,
  inputArgs,
  probeMedia,
} from './media-probe';
export type { MediaClassification, MediaKind, MediaProbe, ProbedStream } from './media-probe';
export * from './errors';
export { makeSampleMedia, scrambleMediaData } from './sample-media';
export type { SampleMedia } from './sample-media';
