import { ServiceManifest, manifestImageRef, rolloutBatch } from '@herd/manifest';
import { SwarmHealthConfig, SwarmMount, SwarmServiceSpec } from '../engine/engine-api.interface';
import { SwarmDefinitionError } from '../errors/swarm-definition.error';
import {
  DOCKER_DEFAULTS,
  HOST_NETWORK,
  MANAGER_ONLY,
  MIN_HEALTHCHECK_TIMEOUT_SECONDS,
  READY_ONCE_MARKER,
  SECRETS_DIR,
  SWARM_DEFAULTS,
  SWARM_LABELS,
  TASK_ID,
  TASK_PORT_FILE,
  TASK_SLOT,
} from '../swarm.constants';
import { SwarmSecretNeed, SwarmServiceOptions } from './swarm-service-options.interface';

const NS_PER_MS = 1_000_000;
const NS_PER_S = 1_000_000_000;
const MIB = 1024 * 1024;
/** What a task needs to idle: reserving the full limit would let one roll (start-first runs an
 * extra task) or one scale-up overbook a small node. */
const CPU_RESERVATION_SHARE = 0.1;
const MEMORY_RESERVATION_SHARE = 0.5;

/** `herd/codec/database-url` → `herd-codec-database-url`: Docker secret names allow no `/`. */
export function swarmSecretName(ref: string, prefix = ''): string {
  return `${prefix}${ref}`.replace(/[^a-zA-Z0-9_.-]/g, '-');
}

/** The Docker secrets a service needs, one per `{ secret }` value of its manifest's env. */
export function swarmSecretNeeds(
  manifest: ServiceManifest,
  options: Pick<SwarmServiceOptions, 'secretPrefix'> = {},
): SwarmSecretNeed[] {
  return Object.entries(manifest.env).flatMap(([envKey, value]) =>
    typeof value === 'string'
      ? []
      : [{ name: swarmSecretName(value.secret, options.secretPrefix), ref: value.secret, envKey }],
  );
}

export function swarmServiceName(
  manifest: ServiceManifest,
  options: Pick<SwarmServiceOptions, 'serviceName' | 'stack'>,
): string {
  return (
    options.serviceName ?? (options.stack ? `${options.stack}_${manifest.name}` : manifest.name)
  );
}

/**
 * The Engine API ServiceSpec of one herd member (POST /services/create and /update): the same
 * service `docker stack deploy` makes from `renderSwarmStack`. Rolling updates start the new task
 * first and count it only once it is healthy, which here means it answered readiness; a task that
 * fails within the monitor window rolls the update back; SIGTERM gets the whole drain deadline.
 */
export function buildServiceSpec(
  manifest: ServiceManifest,
  options: SwarmServiceOptions = {},
): SwarmServiceSpec {
  const name = swarmServiceName(manifest, options);
  const fail = (field: string, reason: string): never => {
    throw new SwarmDefinitionError(name, field, reason);
  };
  const replicas = options.replicas ?? manifest.instances;
  if (!Number.isInteger(replicas) || replicas < 0) {
    fail('replicas', `must be a whole number ≥ 0 (got ${replicas})`);
  }
  const labels = {
    [SWARM_LABELS.service]: manifest.name,
    [SWARM_LABELS.version]: manifest.version,
    ...(options.stack ? { [SWARM_LABELS.stack]: options.stack } : {}),
  };
  const secrets = swarmSecretNeeds(manifest, options);
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(manifest.env)) {
    if (typeof value === 'string') env[key] = value;
  }
  for (const secret of secrets) env[`${secret.envKey}_FILE`] = `${SECRETS_DIR}/${secret.name}`;
  Object.assign(env, options.env, {
    HERD_SERVICE_VERSION: manifest.version,
    HERD_INSTANCE_ID: `${manifest.name}-${TASK_SLOT}-${TASK_ID}`,
    HOST: options.host ?? '0.0.0.0',
    PORT: '0',
    HERD_PORT_FILE: TASK_PORT_FILE,
  });
  const mounts: SwarmMount[] = [
    { Type: 'tmpfs', Target: '/tmp', TmpfsOptions: { SizeBytes: SWARM_DEFAULTS.tmpfsBytes } },
    ...manifest.volumes.map((volume) => ({
      Type: 'bind' as const,
      Source: options.volumeSources?.[volume.containerPath] ?? volume.hostPath,
      Target: volume.containerPath,
      ReadOnly: volume.mode === 'RO',
    })),
  ];
  const socket = options.dockerSocket;
  if (socket) {
    if (!Number.isInteger(socket.gid) || socket.gid < 0) {
      fail('dockerSocket.gid', `must be a whole number ≥ 0 (got ${socket.gid})`);
    }
    // Read-write: a client talks to the engine over the socket, and connect() needs write access.
    mounts.push({
      Type: 'bind',
      Source: socket.hostPath ?? DOCKER_DEFAULTS.socketPath,
      Target: DOCKER_DEFAULTS.socketPath,
      ReadOnly: false,
    });
  }
  const health = manifest.health;
  // After health.maxConsecutiveFailures failed checks Docker marks the task unhealthy and Swarm
  // replaces it: a new task failing that soon after it started is a failed update.
  const monitor =
    (health.intervalSeconds * health.maxConsecutiveFailures + checkTimeoutSeconds(manifest)) *
    NS_PER_S;
  const rolling = {
    // Start-first: the batch's new tasks run beside the old ones until they are healthy.
    Parallelism: rolloutBatch(manifest, replicas),
    Delay: SWARM_DEFAULTS.updateDelayMs * NS_PER_MS,
    Monitor: monitor,
    MaxFailureRatio: SWARM_DEFAULTS.maxFailureRatio,
    Order: 'start-first' as const,
  };
  return {
    Name: name,
    Labels: labels,
    TaskTemplate: {
      ContainerSpec: {
        Image: manifestImageRef(manifest),
        Labels: labels,
        Env: Object.entries(env)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([key, value]) => `${key}=${value}`),
        ReadOnly: true,
        Mounts: mounts,
        StopSignal: 'SIGTERM',
        StopGracePeriod: manifest.drain.killGracePeriodSeconds * NS_PER_S,
        Healthcheck: readyOnceThenLive(manifest),
        Secrets: secrets.map((secret) => ({
          SecretName: secret.name,
          File: { Name: secret.name, UID: '0', GID: '0', Mode: 0o444 },
        })),
        CapabilityDrop: ['ALL'],
        ...(socket ? { Groups: [String(socket.gid)] } : {}),
      },
      Resources: {
        Limits: {
          NanoCPUs: Math.round(manifest.cpus * NS_PER_S),
          MemoryBytes: manifest.memMb * MIB,
        },
        Reservations: {
          NanoCPUs: Math.round(manifest.cpus * CPU_RESERVATION_SHARE * NS_PER_S),
          MemoryBytes: Math.round(manifest.memMb * MEMORY_RESERVATION_SHARE) * MIB,
        },
      },
      RestartPolicy: {
        Condition: 'any',
        Delay: SWARM_DEFAULTS.restartDelayMs * NS_PER_MS,
        MaxAttempts: SWARM_DEFAULTS.restartMaxAttempts,
        Window: SWARM_DEFAULTS.restartWindowMs * NS_PER_MS,
      },
      Placement: {
        // Only a manager's engine creates, updates and scales services: on a worker the socket
        // answers "This node is not a swarm manager".
        ...(socket ? { Constraints: [MANAGER_ONLY] } : {}),
        Preferences: [{ Spread: { SpreadDescriptor: SWARM_DEFAULTS.spreadOver } }],
      },
      Networks: [{ Target: HOST_NETWORK }],
    },
    Mode: { Replicated: { Replicas: replicas } },
    UpdateConfig: { ...rolling, FailureAction: 'rollback' },
    RollbackConfig: { ...rolling, FailureAction: 'pause' },
  };
}

/**
 * Docker has one health check where Marathon has two. Healthy means "answered readiness once since
 * start, and is live now": a rolling update moves on only when the new task could take traffic,
 * while a running task whose readiness dips (Kafka away, disk full: it leaves Consul by itself) is
 * not killed for it; only failing liveness gets it replaced.
 */
function readyOnceThenLive(manifest: ServiceManifest): SwarmHealthConfig {
  const { health } = manifest;
  // bash's own /dev/tcp, not a `node -e`: a check every few seconds per task must cost
  // milliseconds, and a Node start on a loaded 2-core node took longer than the timeout (the task
  // was then killed as unhealthy). The task's own port, as it wrote it once listening (PORT=0):
  // none yet is not healthy yet.
  const script =
    `port=$(<${TASK_PORT_FILE}) && [ -n "$port" ] || exit 1; ` +
    `path=${health.readyPath}; [ -e ${READY_ONCE_MARKER} ] && path=${health.livePath}; ` +
    `exec 3<>/dev/tcp/127.0.0.1/$port || exit 1; ` +
    `printf 'GET %s HTTP/1.0\\r\\nHost: 127.0.0.1\\r\\n\\r\\n' "$path" >&3; ` +
    `read -r _ code _ <&3; [ "$code" = 200 ] || exit 1; ` +
    `[ -e ${READY_ONCE_MARKER} ] || : > ${READY_ONCE_MARKER}`;
  return {
    Test: ['CMD', 'bash', '-c', script],
    Interval: health.intervalSeconds * NS_PER_S,
    Timeout: checkTimeoutSeconds(manifest) * NS_PER_S,
    Retries: health.maxConsecutiveFailures,
    StartPeriod: health.gracePeriodSeconds * NS_PER_S,
  };
}

function checkTimeoutSeconds(manifest: ServiceManifest): number {
  return Math.max(manifest.health.timeoutSeconds, MIN_HEALTHCHECK_TIMEOUT_SECONDS);
}
