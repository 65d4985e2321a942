import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ffmpegVersion } from '@herd/media';

/** The codec is useless without ffmpeg and ffprobe: the boot fails saying what to install. */
@Injectable()
export class MediaToolsCheck implements OnModuleInit {
  private readonly logger = new Logger(MediaToolsCheck.name);

  async onModuleInit(): Promise<void> {
    const [ffmpeg] = await Promise.all([ffmpegVersion('ffmpeg'), ffmpegVersion('ffprobe')]);
    this.logger.log(ffmpeg);
  }
}
