import { FfmpegError } from './ffmpeg.error';

/** The time limit of one ffmpeg/ffprobe run passed: the process was killed. */
export class FfmpegTimeoutError extends FfmpegError {
  constructor(tool: 'ffmpeg' | 'ffprobe', timeoutMs: number) {
    super(tool, `took longer than ${timeoutMs / 1000} s and was stopped`);
  }
}
