import { runService } from '@herd/service';
import { COURSEWARE_SERVICE } from '@herd/contracts';
import { loadCoursewareOptions } from './courseware-options';
import { COURSEWARE_DEFAULT_PORT } from './courseware.constants';
import { CoursewareModule } from './courseware.module';
import { serveCoursewareDocs } from './courseware.docs';

const version = process.env.npm_package_version ?? '0.1.0';

runService(
  { name: COURSEWARE_SERVICE, version, port: COURSEWARE_DEFAULT_PORT },
  (config) => CoursewareModule.forRoot(config, loadCoursewareOptions()),
  { beforeListen: (app) => serveCoursewareDocs(app, version) },
);
