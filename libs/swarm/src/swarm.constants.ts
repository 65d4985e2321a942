/** The Engine API version Herd speaks: Docker Engine 20.10 (Debian's docker.io) and later. */
export const DOCKER_API_VERSION = 'v1.41';

export const DOCKER_DEFAULTS = {
  socketPath: '/var/run/docker.sock',
  requestTimeoutMs: 30_000,
} as const;

/** Labels Herd puts on what it creates in a swarm, so status and cleanup find them. */
export const SWARM_LABELS = {
  service: 'io.herd.service',
  version: 'io.herd.version',
  stack: 'com.docker.stack.namespace',
  manifest: 'io.herd.manifest',
} as const;

/** The placement of a task that drives the swarm through its node's engine. */
export const MANAGER_ONLY = 'node.role == manager';

/** Where Swarm mounts a service's secrets inside its containers. */
export const SECRETS_DIR = '/run/secrets';

/** The host network: every task shares the node's interfaces, so each needs its own port. */
export const HOST_NETWORK = 'host';

/**
 * Swarm fills these Go templates per task. A task keeps its slot through a rolling update, and a
 * start-first update runs the new task in the old one's slot beside it: the slot names an
 * instance (`HERD_INSTANCE_ID`), never its port.
 */
export const TASK_SLOT = '{{.Task.Slot}}';
export const TASK_ID = '{{.Task.ID}}';

/**
 * Every task listens on a port the kernel picks (`PORT=0`): on the host network two tasks of a
 * node (a start-first update, a restart while the old task still drains, two replicas) can never
 * want the same one. The service registers the port it really listens on in Consul, where
 * clients find it, and writes it here for its health check (/tmp is the task's own tmpfs).
 */
export const TASK_PORT_FILE = '/tmp/.herd-port';

/**
 * A loaded node can hold even a millisecond check back for a while (the container's exec, the
 * service's own answer): a shorter timeout marks a healthy task unhealthy.
 */
export const MIN_HEALTHCHECK_TIMEOUT_SECONDS = 3;

export const SWARM_DEFAULTS = {
  updateDelayMs: 0,
  /** No failed task is tolerated during an update: the first one rolls it back. */
  maxFailureRatio: 0,
  restartDelayMs: 5_000,
  restartMaxAttempts: 0,
  restartWindowMs: 120_000,
  /** The task's scratch files, its port file and the health check's marker. */
  tmpfsBytes: 64 * 1024 * 1024,
  spreadOver: 'node.id',
} as const;

/** Docker's health marker: a task becomes healthy once it answered readiness, see the builder. */
export const READY_ONCE_MARKER = '/tmp/.herd-ready-once';
