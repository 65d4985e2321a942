import { randomUUID } from 'node:crypto';
import { DynamicModule, Module } from '@nestjs/common';
import { MulterModule } from '@nestjs/platform-express';
import { diskStorage } from 'multer';
import { HerdServiceModule, HerdServiceOverrides, ServiceConfig } from '@herd/service';
import { RegistryModule } from '@herd/registry';
import { CODEC_SERVICE } from '@herd/contracts';
import type { CoursewareOptions } from './courseware-options';
import { CodecMediaProxy } from './coursewares/codec-media.proxy';
import { Courseware } from './coursewares/courseware.entity';
import { CoursewaresController } from './coursewares/coursewares.controller';
import { CoursewaresService } from './coursewares/coursewares.service';
import { publishCoursewareSaga, retireCoursewareSaga } from './coursewares/publish-courseware.saga';
import { CoursewareSchema1764201600000 } from './migrations/1764201600000-courseware-schema';
import { CoursewareUploads1764806400000 } from './migrations/1764806400000-courseware-uploads';
import { CoursewareIdempotencyKey1764892800000 } from './migrations/1764892800000-courseware-idempotency-key';
import { OriginalsStorage } from './originals/originals-storage';

@Module({})
export class CoursewareModule {
  static forRoot(
    config: ServiceConfig,
    options: CoursewareOptions,
    overrides: HerdServiceOverrides = {},
  ): DynamicModule {
    const storage = new OriginalsStorage(options.storageDir);
    return {
      module: CoursewareModule,
      imports: [
        HerdServiceModule.forService(config, {
          entities: [Courseware],
          migrations: [
            CoursewareSchema1764201600000,
            CoursewareUploads1764806400000,
            CoursewareIdempotencyKey1764892800000,
          ],
          sagas: [publishCoursewareSaga, retireCoursewareSaga],
          mediaFolders: [options.storageDir],
          ...overrides,
        }),
        RegistryModule.forFeature([CODEC_SERVICE]),
        // Uploads stream to disk under a name courseware picks; multer stops at the limit (413).
        MulterModule.register({
          storage: diskStorage({
            destination: storage.incoming,
            filename: (_request, _file, name) => name(null, randomUUID()),
          }),
          limits: { fileSize: options.maxUploadBytes, files: 1, fields: 0 },
        }),
      ],
      controllers: [CoursewaresController],
      providers: [
        { provide: OriginalsStorage, useValue: storage },
        CoursewaresService,
        CodecMediaProxy,
      ],
    };
  }
}
