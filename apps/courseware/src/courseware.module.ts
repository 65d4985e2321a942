import { DynamicModule, Module } from '@nestjs/common';
import { HerdServiceModule, HerdServiceOverrides, ServiceConfig } from '@herd/service';
import { Courseware } from './coursewares/courseware.entity';
import { CoursewaresController } from './coursewares/coursewares.controller';
import { CoursewaresService } from './coursewares/coursewares.service';
import { publishCoursewareSaga } from './coursewares/publish-courseware.saga';
import { CoursewareSchema1764201600000 } from './migrations/1764201600000-courseware-schema';

@Module({})
export class CoursewareModule {
  static forRoot(config: ServiceConfig, overrides: HerdServiceOverrides = {}): DynamicModule {
    return {
      module: CoursewareModule,
      imports: [
        HerdServiceModule.forService(config, {
          entities: [Courseware],
          migrations: [CoursewareSchema1764201600000],
          sagas: [publishCoursewareSaga],
          ...overrides,
        }),
      ],
      controllers: [CoursewaresController],
      providers: [CoursewaresService],
    };
  }
}
