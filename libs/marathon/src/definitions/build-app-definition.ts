import { ServiceManifest, manifestImageRef } from '@herd/manifest';
import { MARATHON_DEFAULTS, MARATHON_LABELS } from '../marathon.constants';
import {
  MarathonAppDefinition,
  MarathonEnvValue,
  MarathonGroupDefinition,
} from './marathon-app.interface';

export interface AppDefinitionOptions {
  /** Group the app lives in. Default `/herd`. */
  readonly groupId?: string;
}

/**
 * A Marathon app definition from a service manifest (Marathon ≥ 1.5 networking API): a Docker
 * container on the `container/bridge` network with named port mappings, a MESOS_HTTP liveness
 * check, a readiness check gating each step of a rolling upgrade, and a kill grace period that
 * covers the service's whole drain.
 */
export function buildAppDefinition(
  manifest: ServiceManifest,
  options: AppDefinitionOptions = {},
): MarathonAppDefinition {
  const groupId = options.groupId ?? MARATHON_DEFAULTS.groupId;
  const [httpPort] = manifest.ports;
  const env: Record<string, MarathonEnvValue> = {};
  const secrets: Record<string, { source: string }> = {};
  for (const [key, value] of Object.entries(manifest.env)) {
    if (typeof value === 'string') {
      env[key] = value;
    } else {
      secrets[key] = { source: value.secret };
      env[key] = { secret: key };
    }
  }
  // Marathon sets HOST to the agent's host name and PORT to the host port; inside the bridge
  // network the service must bind all interfaces on its container port (declared env wins).
  env.HOST = '0.0.0.0';
  env.PORT = String(httpPort.containerPort);
  env.HERD_SERVICE_VERSION = manifest.version;

  const labels: Record<string, string> = {
    [MARATHON_LABELS.service]: manifest.name,
    [MARATHON_LABELS.version]: manifest.version,
    [MARATHON_LABELS.consulName]: manifest.name,
    [MARATHON_LABELS.consulTags]: manifest.tags.join(','),
    [MARATHON_LABELS.haproxyGroup]: manifest.routing.group,
  };
  if (manifest.routing.vhost) labels[MARATHON_LABELS.haproxyVhost] = manifest.routing.vhost;

  return {
    id: `${groupId.replace(/\/$/, '')}/${manifest.name}`,
    instances: manifest.instances,
    cpus: manifest.cpus,
    mem: manifest.memMb,
    disk: 0,
    container: {
      type: 'DOCKER',
      docker: {
        image: manifestImageRef(manifest),
        forcePullImage: false,
        privileged: false,
        // The images are built to run with a read-only root file system and a scratch /tmp.
        parameters: [
          { key: 'read-only', value: 'true' },
          { key: 'tmpfs', value: '/tmp' },
        ],
      },
      portMappings: manifest.ports.map((port) => ({
        name: port.name,
        containerPort: port.containerPort,
        hostPort: 0,
        servicePort: 0,
        protocol: port.protocol,
      })),
      volumes: manifest.volumes.map((volume) => ({ ...volume })),
    },
    networks: [{ mode: 'container/bridge' }],
    env,
    secrets,
    healthChecks: [
      {
        protocol: 'MESOS_HTTP',
        path: manifest.health.livePath,
        portIndex: 0,
        gracePeriodSeconds: manifest.health.gracePeriodSeconds,
        intervalSeconds: manifest.health.intervalSeconds,
        timeoutSeconds: manifest.health.timeoutSeconds,
        maxConsecutiveFailures: manifest.health.maxConsecutiveFailures,
        delaySeconds: MARATHON_DEFAULTS.delaySeconds,
      },
    ],
    readinessChecks: [
      {
        name: MARATHON_DEFAULTS.readinessCheckName,
        protocol: 'HTTP',
        path: manifest.health.readyPath,
        portName: httpPort.name,
        intervalSeconds: manifest.health.intervalSeconds,
        timeoutSeconds: manifest.health.timeoutSeconds,
        httpStatusCodesForReady: [200],
        preserveLastResponse: false,
      },
    ],
    upgradeStrategy: {
      minimumHealthCapacity: MARATHON_DEFAULTS.minimumHealthCapacity,
      // With minimumHealthCapacity 1, new instances start before old ones stop.
      maximumOverCapacity: manifest.rollout.maxSurge,
    },
    unreachableStrategy: {
      inactiveAfterSeconds: MARATHON_DEFAULTS.inactiveAfterSeconds,
      expungeAfterSeconds: MARATHON_DEFAULTS.expungeAfterSeconds,
    },
    killSelection: MARATHON_DEFAULTS.killSelection,
    taskKillGracePeriodSeconds: manifest.drain.killGracePeriodSeconds,
    constraints: [[...MARATHON_DEFAULTS.hostnameConstraint]],
    maxLaunchDelaySeconds: MARATHON_DEFAULTS.maxLaunchDelaySeconds,
    labels,
  };
}

/** The whole herd as one Marathon group (PUT /v2/groups), each app under the group's id. */
export function buildGroupDefinition(
  manifests: readonly ServiceManifest[],
  options: AppDefinitionOptions = {},
): MarathonGroupDefinition {
  const id = options.groupId ?? MARATHON_DEFAULTS.groupId;
  return {
    id,
    apps: manifests.map((manifest) => buildAppDefinition(manifest, { ...options, groupId: id })),
  };
}
