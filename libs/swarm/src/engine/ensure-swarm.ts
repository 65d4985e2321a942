import { DockerEngineClient } from './docker-engine.client';

export interface SwarmHandle {
  /** True when this call made the swarm (and may leave it again); false for one that was there. */
  readonly created: boolean;
  readonly nodeId: string;
}

/**
 * A swarm this engine manages: an existing one is used as it is; without one, this engine becomes
 * a one-node swarm advertising 127.0.0.1 (nothing else can join it, which suits one machine).
 */
export async function ensureSwarm(
  client: DockerEngineClient,
  advertiseAddr = '127.0.0.1',
): Promise<SwarmHandle> {
  const { Swarm } = await client.info();
  if (Swarm.LocalNodeState === 'active') {
    if (!Swarm.ControlAvailable) {
      throw new Error(
        'this Docker engine is a swarm worker: run Herd against a manager node (DOCKER_HOST)',
      );
    }
    return { created: false, nodeId: Swarm.NodeID };
  }
  const nodeId = await client.initSwarm(advertiseAddr, `${advertiseAddr}:2377`);
  return { created: true, nodeId };
}
