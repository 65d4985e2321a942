export {
  CODEC_CHANNEL,
  CODEC_COMMANDS,
  RENDITION_TARGETS,
  SOURCE_FORMATS,
  discardCommandSchema,
  transcodeCommandSchema,
} from './codec.contract';
export type {
  DiscardCommand,
  Rendition,
  RenditionTarget,
  SourceFormat,
  TranscodeCommand,
  TranscodeReply,
} from './codec.contract';
