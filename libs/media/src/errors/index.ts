export { FfmpegAbortedError } from './ffmpeg-aborted.error';
export { FfmpegError } from './ffmpeg.error';
export { FfmpegMissingError } from './ffmpeg-missing.error';
export { FfmpegTimeoutError } from './ffmpeg-timeout.error';
