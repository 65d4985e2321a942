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
  tags: ['worker', 'saga-participant'],
  routing: { group: 'internal' },
});
