import { ServiceManifest } from '@herd/manifest';
import {
  SwarmDockerSocket,
  SwarmServiceOptions,
  buildServiceSpec,
  renderSwarmStack,
} from '@herd/swarm';
import { SHEPHERD_KEYS } from '../../../shepherd/src/config/shepherd-config';
import { shepherdManifest } from '../../../shepherd/src/shepherd.manifest';
import { HERD_MANIFESTS } from '../herd-definitions';

/** The stack name `docker stack deploy` and `npm run ranch` give the herd. */
export const HERD_STACK = 'herd';

/** Where the generated stack is committed, relative to the repository root. */
export const SWARM_STACK_FILE = 'docker/swarm/herd.stack.yml';

/** One shepherd per herd: two would both act on the same policies. */
export const SHEPHERD_REPLICAS = 1;

export interface HerdSwarmMember {
  readonly manifest: ServiceManifest;
  readonly options: SwarmServiceOptions;
}

/** The herd on a swarm: every service by its manifest, in the herd's stack, plus `extra`. */
export function herdSwarmMembers(extra: SwarmServiceOptions = {}): HerdSwarmMember[] {
  return HERD_MANIFESTS.map((manifest) => ({ manifest, options: { stack: HERD_STACK, ...extra } }));
}

/**
 * The shepherd beside the herd on a swarm: one replica whatever `extra` asks, the engine's socket
 * (`socket`) to scale the stack's services through, `SHEPHERD_TARGET=swarm` on the same
 * stack. Not in the stack file: `docker stack deploy` cannot give a task the socket's group.
 */
export function herdShepherdMember(
  extra: SwarmServiceOptions,
  socket: SwarmDockerSocket,
): HerdSwarmMember {
  const stack = extra.stack ?? HERD_STACK;
  return {
    manifest: shepherdManifest,
    options: {
      ...extra,
      stack,
      replicas: SHEPHERD_REPLICAS,
      dockerSocket: socket,
      env: {
        ...extra.env,
        [SHEPHERD_KEYS.target]: 'swarm',
        [SHEPHERD_KEYS.swarmStack]: stack,
      },
    },
  };
}

/** docker/swarm/herd.stack.yml: the herd for `docker stack deploy`, from the manifests. */
export function renderHerdStack(): string {
  const header =
    '# Generated from the service manifests by `npm run ranch -- stack`: do not edit.\n' +
    '# docker stack deploy -c docker/swarm/herd.stack.yml herd  (see libs/swarm/README.md)\n';
  return (
    header +
    renderSwarmStack(
      herdSwarmMembers().map(({ manifest, options }) => buildServiceSpec(manifest, options)),
    )
  );
}
