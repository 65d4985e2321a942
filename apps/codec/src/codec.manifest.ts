import { defineServiceManifest } from '@herd/manifest';
import { clusterServiceEnv } from '@herd/service';
import { version } from '../../../package.json';
import { CODEC_DEFAULT_PORT, CODEC_ENV, CODEC_SERVICE } from './codec.constants';

const MEDIA_PATH = '/srv/media';

/** How codec runs on a cluster: the source of docker/marathon/codec.json. */
export const codecManifest = defineServiceManifest({
  name: CODEC_SERVICE,
  version,
  ports: [{ name: 'http', containerPort: CODEC_DEFAULT_PORT }],
  cpus: 1,
  memMb: 512,
  instances: 2,
  env: { ...clusterServiceEnv(CODEC_SERVICE), [CODEC_ENV.mediaDir]: MEDIA_PATH },
  // Renditions outlive the task; readiness turns 503 when this disk fills up.
  volumes: [{ containerPath: MEDIA_PATH, hostPath: '/srv/herd/codec-media', mode: 'RW' }],
  // A rolling update moves on at the first check after a new task is ready: every 5 s, not
  // Consul's 10, halves each step; the orchestrators' check costs milliseconds.
  health: { intervalSeconds: 5, timeoutSeconds: 3 },
  // Every instance replaced at once, each new one started beside the one it replaces: a roll
  // takes one boot, not one per instance, on nodes with room for a second copy of the herd.
  rollout: { maxSurge: 1 },
  tags: ['worker', 'saga-participant'],
  routing: { group: 'internal' },
});
