import { defineServiceManifest } from '@herd/manifest';
import { clusterServiceEnv } from '@herd/service';
import { version } from '../../../package.json';
import { SHEPHERD_DEFAULT_PORT, SHEPHERD_SERVICE } from './shepherd.constants';

/**
 * How the shepherd runs on a cluster. One instance: two shepherds would both act on the same
 * policies. Its own database keeps the decisions; where it scales is the target's to say
 * (`herd-swarm-stack.ts` adds the swarm's socket and SHEPHERD_TARGET=swarm).
 */
export const shepherdManifest = defineServiceManifest({
  name: SHEPHERD_SERVICE,
  version,
  ports: [{ name: 'http', containerPort: SHEPHERD_DEFAULT_PORT }],
  cpus: 0.5,
  memMb: 256,
  instances: 1,
  env: clusterServiceEnv(SHEPHERD_SERVICE),
  tags: ['operations'],
  routing: { group: 'internal' },
});
