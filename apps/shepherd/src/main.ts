import { runService } from '@herd/service';
import { loadShepherdConfig } from './config/shepherd-config';
import { SHEPHERD_DEFAULT_PORT, SHEPHERD_SERVICE } from './shepherd.constants';
import { ShepherdModule } from './shepherd.module';

runService(
  {
    name: SHEPHERD_SERVICE,
    version: process.env.npm_package_version ?? '0.1.0',
    port: SHEPHERD_DEFAULT_PORT,
  },
  (config) => ShepherdModule.forRoot(config, loadShepherdConfig()),
);
