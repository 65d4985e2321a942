export {
  CODEC_CHANNEL,
  CODEC_COMMANDS,
  CODEC_SERVICE,
  MEDIA_KINDS,
  RENDITIONS,
  discardCommandSchema,
  transcodeCommandSchema,
} from './codec.contract';
export type {
  DiscardCommand,
  Rendition,
  RenditionName,
  TranscodeCommand,
  TranscodeReply,
} from './codec.contract';
export { COURSEWARE_SERVICE, coursewareSourcePath } from './courseware.contract';
