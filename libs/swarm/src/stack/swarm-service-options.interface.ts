/** What a Swarm target adds to a service's manifest: where this swarm runs it. */
export interface SwarmServiceOptions {
  /** Swarm service name. Default: the manifest's name, prefixed with `<stack>_` in a stack. */
  readonly serviceName?: string;
  /** The stack it belongs to (`com.docker.stack.namespace`), as `docker stack deploy` labels it. */
  readonly stack?: string;
  /** Replicas. Default: the manifest's instances. */
  readonly replicas?: number;
  /**
   * The address the service binds and registers in Consul. Default 0.0.0.0: bind every interface,
   * register the node's first external address (a multi-node swarm). 127.0.0.1 keeps one node's
   * traffic on loopback.
   */
  readonly host?: string;
  /** Plain values over the manifest's env, e.g. this machine's Consul and Kafka addresses. */
  readonly env?: Readonly<Record<string, string>>;
  /** Put before every Docker secret name, so two herds on one swarm keep theirs apart. */
  readonly secretPrefix?: string;
  /** Host path of each manifest volume, by its container path. Default: the manifest's hostPath. */
  readonly volumeSources?: Readonly<Record<string, string>>;
  /**
   * The engine's socket, for a service that drives the swarm itself (the shepherd scales through
   * it). Write access to it is root on the node: see libs/swarm/README.md, "The Docker socket".
   */
  readonly dockerSocket?: SwarmDockerSocket;
}

/** What `dockerSocket` mounts, and the group that may open it. */
export interface SwarmDockerSocket {
  /** The socket on the node. Default /var/run/docker.sock; mounted there in the task too. */
  readonly hostPath?: string;
  /**
   * The socket's group on the node (`stat -c %g /var/run/docker.sock`): the images run as uid
   * 999, not root, so the task's process gets this group to open the socket (mode 660).
   */
  readonly gid: number;
}

/** A Docker secret a service reads: created before the service, from the manifest's reference. */
export interface SwarmSecretNeed {
  /** Docker secret name, e.g. `herd-codec-database-url`. */
  readonly name: string;
  /** The manifest's reference, e.g. `herd/codec/database-url`. */
  readonly ref: string;
  /** The variable the service reads it under (from `<KEY>_FILE`). */
  readonly envKey: string;
}
