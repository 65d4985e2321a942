/** ffmpeg or ffprobe is not on the PATH: says exactly what to install. */
export class FfmpegMissingError extends Error {
  constructor(tool: string) {
    super(
      `${tool} is not installed: run \`sudo apt-get install -y ffmpeg\` (Debian's package) and retry`,
    );
    this.name = new.target.name;
  }
}
