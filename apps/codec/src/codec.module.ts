import { DynamicModule, Module } from '@nestjs/common';
import { HerdServiceModule, HerdServiceOverrides, ServiceConfig } from '@herd/service';
import { RegistryModule } from '@herd/registry';
import { COURSEWARE_SERVICE } from '@herd/contracts';
import { CODEC_OPTIONS } from './codec.constants';
import type { CodecOptions } from './codec-options';
import { CodecSchema1764201600000 } from './migrations/1764201600000-codec-schema';
import { TranscodeJobQueue1764806400000 } from './migrations/1764806400000-transcode-job-queue';
import { MediaStorage } from './renditions/media-storage';
import { MediaTranscoder } from './renditions/media-transcoder';
import { RenditionsController } from './renditions/renditions.controller';
import { MediaToolsCheck } from './renditions/media-tools.check';
import { JobsController } from './transcoding/jobs.controller';
import { SourceFetcher } from './transcoding/source-fetcher';
import { TranscodeBacklogGauge } from './transcoding/transcode-backlog.gauge';
import { TranscodeHandler } from './transcoding/transcode.handler';
import { TranscodeJob } from './transcoding/transcode-job.entity';
import { TranscodeJobs } from './transcoding/transcode-jobs';
import { TranscodeWorker } from './transcoding/transcode-worker';

@Module({})
export class CodecModule {
  static forRoot(
    config: ServiceConfig,
    options: CodecOptions,
    overrides: HerdServiceOverrides = {},
  ): DynamicModule {
    return {
      module: CodecModule,
      imports: [
        HerdServiceModule.forService(config, {
          entities: [TranscodeJob],
          migrations: [CodecSchema1764201600000, TranscodeJobQueue1764806400000],
          mediaFolders: [options.mediaDir],
          ...overrides,
        }),
        RegistryModule.forFeature([COURSEWARE_SERVICE]),
      ],
      controllers: [JobsController, RenditionsController],
      providers: [
        { provide: CODEC_OPTIONS, useValue: options },
        { provide: MediaStorage, useValue: new MediaStorage(options.mediaDir) },
        MediaToolsCheck,
        MediaTranscoder,
        SourceFetcher,
        TranscodeJobs,
        TranscodeHandler,
        TranscodeWorker,
        TranscodeBacklogGauge,
      ],
    };
  }
}
