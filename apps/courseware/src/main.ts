import { runService } from '@herd/service';
import { COURSEWARE_DEFAULT_PORT, COURSEWARE_SERVICE } from './courseware.constants';
import { CoursewareModule } from './courseware.module';

runService(
  {
    name: COURSEWARE_SERVICE,
    version: process.env.npm_package_version ?? '0.1.0',
    port: COURSEWARE_DEFAULT_PORT,
  },
  (config) => CoursewareModule.forRoot(config),
);
