import { ManifestError } from './errors/manifest.error';
import { MANIFEST_DEFAULTS, SECRET_NAME_PATTERN } from './manifest.constants';
import {
  ManifestEnvValue,
  ManifestPort,
  ManifestVolume,
  ServiceManifest,
  ServiceManifestInput,
} from './service-manifest.interface';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const PORT_NAME = /^[a-z][a-z0-9-]*$/;
const ENV_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const SEMVER = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;
const IMAGE = /^[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/;
const HOSTNAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)*[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const URL_WITH_PASSWORD = /^[a-z][a-z0-9+.-]*:\/\/[^/@\s:]*:[^/@\s]+@/i;

/**
 * Applies the defaults and checks everything a deployment target would otherwise refuse (or,
 * worse, accept and run badly): throws ManifestError naming the field and the reason.
 */
export function defineServiceManifest(input: ServiceManifestInput): ServiceManifest {
  const fail = (field: string, reason: string): never => {
    throw new ManifestError(input.name ?? '?', field, reason);
  };
  const check = (ok: boolean, field: string, reason: string) =>
    ok ? undefined : fail(field, reason);
  const positive = (field: string, value: number) =>
    check(Number.isFinite(value) && value > 0, field, `must be a number above 0 (got ${value})`);
  const wholeAtLeast = (field: string, value: number, min: number) =>
    check(
      Number.isInteger(value) && value >= min,
      field,
      `must be a whole number ≥ ${min} (got ${value})`,
    );

  check(
    typeof input.name === 'string' && DNS_LABEL.test(input.name) && input.name.length <= 63,
    'name',
    'must be a DNS label: lowercase letters, digits and inner dashes, at most 63 characters',
  );
  check(
    typeof input.version === 'string' && SEMVER.test(input.version),
    'version',
    `must be semver (got "${input.version}")`,
  );
  const image = input.image ?? `${MANIFEST_DEFAULTS.imagePrefix}${input.name}`;
  check(
    IMAGE.test(image),
    'image',
    `must be an image repository without tag or digest (got "${image}")`,
  );

  check(
    Array.isArray(input.ports) && input.ports.length > 0,
    'ports',
    'must name at least the HTTP port',
  );
  const ports: ManifestPort[] = input.ports.map((port, i) => {
    check(PORT_NAME.test(port.name ?? ''), `ports[${i}].name`, 'must match [a-z][a-z0-9-]*');
    wholeAtLeast(`ports[${i}].containerPort`, port.containerPort, 1);
    check(port.containerPort <= 65535, `ports[${i}].containerPort`, 'must be at most 65535');
    const protocol = port.protocol ?? MANIFEST_DEFAULTS.protocol;
    check(protocol === 'tcp' || protocol === 'udp', `ports[${i}].protocol`, 'must be tcp or udp');
    return { name: port.name, containerPort: port.containerPort, protocol };
  });
  ports.forEach((port, i) => {
    check(
      ports.findIndex((p) => p.name === port.name) === i,
      `ports[${i}].name`,
      `"${port.name}" is used twice`,
    );
    check(
      ports.findIndex((p) => p.containerPort === port.containerPort) === i,
      `ports[${i}].containerPort`,
      `${port.containerPort} is used twice`,
    );
  });

  const cpus = input.cpus ?? MANIFEST_DEFAULTS.cpus;
  positive('cpus', cpus);
  const memMb = input.memMb ?? MANIFEST_DEFAULTS.memMb;
  positive('memMb', memMb);
  const instances = input.instances ?? MANIFEST_DEFAULTS.instances;
  wholeAtLeast('instances', instances, 0);

  const env: Record<string, ManifestEnvValue> = {};
  for (const [key, value] of Object.entries(input.env ?? {})) {
    check(
      ENV_NAME.test(key),
      `env.${key}`,
      'is not a valid variable name ([a-zA-Z_][a-zA-Z0-9_]*)',
    );
    if (typeof value === 'string') {
      check(
        !SECRET_NAME_PATTERN.test(key),
        `env.${key}`,
        'looks like a secret: give it as { secret: "<store path>" }, never as plain text',
      );
      check(
        !URL_WITH_PASSWORD.test(value),
        `env.${key}`,
        'holds a URL with a password: give it as { secret: "<store path>" }',
      );
    } else {
      check(
        typeof value?.secret === 'string' && value.secret.trim().length > 0,
        `env.${key}.secret`,
        'must name the secret in the store',
      );
    }
    env[key] = value;
  }

  const volumes: ManifestVolume[] = (input.volumes ?? []).map((volume, i) => {
    check(
      volume.containerPath?.startsWith('/'),
      `volumes[${i}].containerPath`,
      'must be an absolute path',
    );
    check(volume.hostPath?.startsWith('/'), `volumes[${i}].hostPath`, 'must be an absolute path');
    const mode = volume.mode ?? MANIFEST_DEFAULTS.volumeMode;
    check(mode === 'RO' || mode === 'RW', `volumes[${i}].mode`, 'must be RO or RW');
    return { containerPath: volume.containerPath, hostPath: volume.hostPath, mode };
  });

  const health = {
    livePath: input.health?.livePath ?? MANIFEST_DEFAULTS.livePath,
    readyPath: input.health?.readyPath ?? MANIFEST_DEFAULTS.readyPath,
    gracePeriodSeconds: input.health?.gracePeriodSeconds ?? MANIFEST_DEFAULTS.gracePeriodSeconds,
    intervalSeconds: input.health?.intervalSeconds ?? MANIFEST_DEFAULTS.intervalSeconds,
    timeoutSeconds: input.health?.timeoutSeconds ?? MANIFEST_DEFAULTS.timeoutSeconds,
    maxConsecutiveFailures:
      input.health?.maxConsecutiveFailures ?? MANIFEST_DEFAULTS.maxConsecutiveFailures,
  };
  check(health.livePath.startsWith('/'), 'health.livePath', 'must start with /');
  check(health.readyPath.startsWith('/'), 'health.readyPath', 'must start with /');
  wholeAtLeast('health.gracePeriodSeconds', health.gracePeriodSeconds, 0);
  wholeAtLeast('health.intervalSeconds', health.intervalSeconds, 1);
  wholeAtLeast('health.timeoutSeconds', health.timeoutSeconds, 1);
  wholeAtLeast('health.maxConsecutiveFailures', health.maxConsecutiveFailures, 1);
  // Marathon refuses a readiness check whose timeout is not below its interval.
  check(
    health.timeoutSeconds < health.intervalSeconds,
    'health.timeoutSeconds',
    'must be below health.intervalSeconds',
  );

  const graceMs = input.drain?.graceMs ?? MANIFEST_DEFAULTS.graceMs;
  const drainTimeoutMs = input.drain?.drainTimeoutMs ?? MANIFEST_DEFAULTS.drainTimeoutMs;
  const closeMs = input.drain?.closeMs ?? MANIFEST_DEFAULTS.closeMs;
  wholeAtLeast('drain.graceMs', graceMs, 0);
  wholeAtLeast('drain.drainTimeoutMs', drainTimeoutMs, 0);
  wholeAtLeast('drain.closeMs', closeMs, 0);

  const maxSurge = input.rollout?.maxSurge ?? MANIFEST_DEFAULTS.maxSurge;
  check(
    typeof maxSurge === 'number' && maxSurge >= 0 && maxSurge <= 1,
    'rollout.maxSurge',
    `must be a share of the instances from 0 to 1 (got ${maxSurge})`,
  );

  const tags = [...(input.tags ?? [])];
  tags.forEach((tag, i) =>
    check(/^[^\s,]+$/.test(tag), `tags[${i}]`, 'must be a non-empty word without spaces or commas'),
  );

  const group = input.routing?.group ?? MANIFEST_DEFAULTS.routingGroup;
  check(DNS_LABEL.test(group), 'routing.group', 'must be a DNS label');
  const vhost = input.routing?.vhost;
  if (vhost !== undefined)
    check(HOSTNAME.test(vhost), 'routing.vhost', `must be a host name (got "${vhost}")`);

  return {
    name: input.name,
    image,
    version: input.version,
    ports,
    cpus,
    memMb,
    instances,
    env,
    volumes,
    health,
    drain: {
      graceMs,
      drainTimeoutMs,
      closeMs,
      killGracePeriodSeconds: Math.ceil((graceMs + drainTimeoutMs + closeMs) / 1000),
    },
    rollout: { maxSurge },
    tags,
    routing: vhost === undefined ? { group } : { group, vhost },
  };
}

/**
 * How many instances of `instances` a rolling update replaces at once: ⌊instances × maxSurge⌋,
 * at least one (Marathon's rule for `maximumOverCapacity`, where none would otherwise move).
 */
export function rolloutBatch(manifest: ServiceManifest, instances = manifest.instances): number {
  return Math.max(1, Math.floor(instances * manifest.rollout.maxSurge));
}

/** `herd/codec:1.4.0`: the image reference every target runs. */
export function manifestImageRef(manifest: ServiceManifest): string {
  return `${manifest.image}:${manifest.version}`;
}
