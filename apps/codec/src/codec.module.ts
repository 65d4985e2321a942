import { DynamicModule, Module } from '@nestjs/common';
import { HerdServiceModule, HerdServiceOverrides, ServiceConfig } from '@herd/service';
import { FileTranscoder } from './transcoding/file-transcoder';
import { JobsController } from './transcoding/jobs.controller';
import { TranscodeHandler } from './transcoding/transcode.handler';
import { TranscodeJob } from './transcoding/transcode-job.entity';
import { CodecSchema1764201600000 } from './migrations/1764201600000-codec-schema';

@Module({})
export class CodecModule {
  static forRoot(
    config: ServiceConfig,
    mediaDir: string,
    overrides: HerdServiceOverrides = {},
  ): DynamicModule {
    return {
      module: CodecModule,
      imports: [
        HerdServiceModule.forService(config, {
          entities: [TranscodeJob],
          migrations: [CodecSchema1764201600000],
          mediaFolders: [mediaDir],
          ...overrides,
        }),
      ],
      controllers: [JobsController],
      providers: [
        { provide: FileTranscoder, useValue: new FileTranscoder(mediaDir) },
        TranscodeHandler,
      ],
    };
  }
}
