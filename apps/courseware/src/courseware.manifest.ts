import { defineServiceManifest } from '@herd/manifest';
import { clusterServiceEnv } from '@herd/service';
import { version } from '../../../package.json';
import { COURSEWARE_SERVICE } from '@herd/contracts';
import { COURSEWARE_DEFAULT_PORT, COURSEWARE_ENV } from './courseware.constants';

const ORIGINALS_PATH = '/srv/originals';

/** How courseware runs on a cluster: the source of docker/marathon/courseware.json. */
export const coursewareManifest = defineServiceManifest({
  name: COURSEWARE_SERVICE,
  version,
  ports: [{ name: 'http', containerPort: COURSEWARE_DEFAULT_PORT }],
  cpus: 0.5,
  memMb: 256,
  instances: 3,
  env: { ...clusterServiceEnv(COURSEWARE_SERVICE), [COURSEWARE_ENV.storageDir]: ORIGINALS_PATH },
  // Originals are shared by every instance: any of them serves one to the codec.
  volumes: [
    { containerPath: ORIGINALS_PATH, hostPath: '/srv/herd/courseware-originals', mode: 'RW' },
  ],
  // A rolling update moves on at the first check after a new task is ready: every 5 s, not
  // Consul's 10, halves each step; the orchestrators' check costs milliseconds.
  health: { intervalSeconds: 5, timeoutSeconds: 3 },
  // Every instance replaced at once, each new one started beside the one it replaces: a roll
  // takes one boot, not one per instance, on nodes with room for a second copy of the herd.
  rollout: { maxSurge: 1 },
  tags: ['api', 'saga-orchestrator'],
  routing: { group: 'external', vhost: 'courseware.herd.internal' },
});
