import { defineServiceManifest } from '@herd/manifest';
import { clusterServiceEnv } from '@herd/service';
import { version } from '../../../package.json';
import { COURSEWARE_DEFAULT_PORT, COURSEWARE_SERVICE } from './courseware.constants';

/** How courseware runs on a cluster: the source of docker/marathon/courseware.json. */
export const coursewareManifest = defineServiceManifest({
  name: COURSEWARE_SERVICE,
  version,
  ports: [{ name: 'http', containerPort: COURSEWARE_DEFAULT_PORT }],
  cpus: 0.5,
  memMb: 256,
  instances: 3,
  env: clusterServiceEnv(COURSEWARE_SERVICE),
  tags: ['api', 'saga-orchestrator'],
  routing: { group: 'external', vhost: 'courseware.herd.internal' },
});
