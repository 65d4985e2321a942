import { ServiceManifest } from '@herd/manifest';
import { SwarmServiceOptions, buildServiceSpec, renderSwarmStack } from '@herd/swarm';
import { HERD_MANIFESTS } from '../herd-definitions';

/** The stack name `docker stack deploy` and `npm run ranch` give the herd. */
export const HERD_STACK = 'herd';

/** Where the generated stack is committed, relative to the repository root. */
export const SWARM_STACK_FILE = 'docker/swarm/herd.stack.yml';

/** Each service's host-network ports on a node: `<prefix><slot>`, so 3101… and 3111…. */
export const HERD_SWARM_PORT_PREFIXES: Readonly<Record<string, number>> = {
  courseware: 310,
  codec: 311,
};

export interface HerdSwarmMember {
  readonly manifest: ServiceManifest;
  readonly options: SwarmServiceOptions;
}

/** The herd on a swarm: every service by its manifest, with its port prefix, plus `extra`. */
export function herdSwarmMembers(
  extra: Omit<SwarmServiceOptions, 'hostPortPrefix'> = {},
): HerdSwarmMember[] {
  return HERD_MANIFESTS.map((manifest) => {
    const hostPortPrefix = HERD_SWARM_PORT_PREFIXES[manifest.name];
    if (hostPortPrefix === undefined) {
      throw new Error(`${manifest.name} has no port prefix in HERD_SWARM_PORT_PREFIXES`);
    }
    return { manifest, options: { stack: HERD_STACK, ...extra, hostPortPrefix } };
  });
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
