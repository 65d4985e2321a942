import { ServiceManifest } from '@herd/manifest';
import { SwarmServiceOptions, buildServiceSpec, renderSwarmStack } from '@herd/swarm';
import { HERD_MANIFESTS } from '../herd-definitions';

/** The stack name `docker stack deploy` and `npm run ranch` give the herd. */
export const HERD_STACK = 'herd';

/** Where the generated stack is committed, relative to the repository root. */
export const SWARM_STACK_FILE = 'docker/swarm/herd.stack.yml';

export interface HerdSwarmMember {
  readonly manifest: ServiceManifest;
  readonly options: SwarmServiceOptions;
}

/** The herd on a swarm: every service by its manifest, in the herd's stack, plus `extra`. */
export function herdSwarmMembers(extra: SwarmServiceOptions = {}): HerdSwarmMember[] {
  return HERD_MANIFESTS.map((manifest) => ({ manifest, options: { stack: HERD_STACK, ...extra } }));
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
