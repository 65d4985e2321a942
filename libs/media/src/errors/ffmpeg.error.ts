/**
 * ffmpeg or ffprobe refused the input or failed: `reason` is ffmpeg's own last words, short enough
 * to show a user (never the command line, which names server paths).
 */
export class FfmpegError extends Error {
  constructor(
    readonly tool: 'ffmpeg' | 'ffprobe',
    readonly reason: string,
  ) {
    super(`${tool}: ${reason}`);
    this.name = new.target.name;
  }
}
