import { SwarmMount, SwarmServiceSpec } from '../engine/engine-api.interface';
import { SwarmDefinitionError } from '../errors/swarm-definition.error';
import { HOST_NETWORK, SWARM_LABELS } from '../swarm.constants';
import { toYaml } from './yaml';

const MIB = 1024 * 1024;

/**
 * Variables the deploying shell may set (`docker stack deploy` interpolates them): the servers'
 * addresses, and the address a one-node swarm binds to (HERD_BIND_HOST=127.0.0.1). Everything
 * else is fixed by the manifest, so a stray NODE_ENV in a shell cannot change what runs.
 */
const INTERPOLATED = /^HERD_(KAFKA_BROKERS|CONSUL_URL)$/;
const BIND_HOST_VARIABLE = 'HERD_BIND_HOST';

/**
 * A Compose file (format 3.8) for `docker stack deploy`, from the same ServiceSpecs the Engine API
 * path creates: one service per spec, keyed by its manifest name, the Docker secrets it reads
 * declared external (created beforehand with `docker secret create`).
 */
export function renderSwarmStack(specs: readonly SwarmServiceSpec[]): string {
  const secrets = new Set<string>();
  const services = Object.fromEntries(
    specs.map((spec) => {
      const container = spec.TaskTemplate.ContainerSpec;
      const resources = spec.TaskTemplate.Resources;
      const restart = spec.TaskTemplate.RestartPolicy;
      const health = container.Healthcheck;
      if (container.Groups?.length) {
        // `docker stack deploy` refuses `group_add` ("Additional property group_add is not
        // allowed", docker/cli#3777): dropping the group would leave a socket it cannot open.
        throw new SwarmDefinitionError(
          spec.Name,
          'dockerSocket',
          'a stack file cannot add a group to a task (docker stack deploy has no group_add): deploy it through the Engine API (herd deploy --target swarm)',
        );
      }
      for (const secret of container.Secrets ?? []) secrets.add(secret.SecretName);
      const service = {
        image: container.Image,
        labels: withoutStack(container.Labels),
        environment: Object.fromEntries(
          (container.Env ?? []).map((entry) => {
            const [key, value] = splitEnv(entry);
            return [key, interpolated(key, value)];
          }),
        ),
        read_only: container.ReadOnly,
        cap_drop: container.CapabilityDrop,
        stop_signal: container.StopSignal,
        stop_grace_period: duration(container.StopGracePeriod),
        healthcheck: health && {
          // `docker stack deploy` interpolates `$`: the shell variables of the check are `$$`.
          test: health.Test.map((part) => part.replaceAll('$', '$$$$')),
          interval: duration(health.Interval),
          timeout: duration(health.Timeout),
          retries: health.Retries,
          start_period: duration(health.StartPeriod),
        },
        volumes: container.Mounts?.map(composeVolume),
        secrets: container.Secrets?.map((secret) => ({
          source: secret.SecretName,
          target: secret.File.Name,
        })),
        networks: spec.TaskTemplate.Networks?.map((network) =>
          network.Target === HOST_NETWORK ? 'hostnet' : network.Target,
        ),
        deploy: {
          mode: 'replicated',
          replicas: spec.Mode.Replicated.Replicas,
          labels: withoutStack(spec.Labels),
          update_config: spec.UpdateConfig && {
            parallelism: spec.UpdateConfig.Parallelism,
            delay: duration(spec.UpdateConfig.Delay),
            failure_action: spec.UpdateConfig.FailureAction,
            monitor: duration(spec.UpdateConfig.Monitor),
            max_failure_ratio: spec.UpdateConfig.MaxFailureRatio,
            order: spec.UpdateConfig.Order,
          },
          rollback_config: spec.RollbackConfig && {
            parallelism: spec.RollbackConfig.Parallelism,
            delay: duration(spec.RollbackConfig.Delay),
            failure_action: spec.RollbackConfig.FailureAction,
            monitor: duration(spec.RollbackConfig.Monitor),
            max_failure_ratio: spec.RollbackConfig.MaxFailureRatio,
            order: spec.RollbackConfig.Order,
          },
          restart_policy: restart && {
            condition: restart.Condition,
            delay: duration(restart.Delay),
            max_attempts: restart.MaxAttempts,
            window: duration(restart.Window),
          },
          resources: resources && {
            limits: resources.Limits && {
              cpus: cpus(resources.Limits.NanoCPUs),
              memory: memory(resources.Limits.MemoryBytes),
            },
            reservations: resources.Reservations && {
              cpus: cpus(resources.Reservations.NanoCPUs),
              memory: memory(resources.Reservations.MemoryBytes),
            },
          },
          placement: {
            constraints: spec.TaskTemplate.Placement?.Constraints,
            preferences: spec.TaskTemplate.Placement?.Preferences?.map((preference) => ({
              spread: preference.Spread.SpreadDescriptor,
            })),
          },
        },
      };
      return [container.Labels?.[SWARM_LABELS.service] ?? spec.Name, service];
    }),
  );
  const document = {
    version: '3.8',
    services,
    networks: { hostnet: { external: true, name: HOST_NETWORK } },
    secrets: Object.fromEntries([...secrets].sort().map((name) => [name, { external: true }])),
  };
  return toYaml(document).replace(/^\n/, '');
}

function interpolated(key: string, value: string): string {
  // `$` starts an interpolation in a Compose file: a literal one is written `$$`.
  const literal = value.replace(/\$/g, '$$$$');
  if (key === 'HOST') return `\${${BIND_HOST_VARIABLE}:-${literal}}`;
  return INTERPOLATED.test(key) ? `\${${key}:-${literal}}` : literal;
}

function splitEnv(entry: string): [string, string] {
  const at = entry.indexOf('=');
  return [entry.slice(0, at), entry.slice(at + 1)];
}

function withoutStack(labels: Readonly<Record<string, string>> | undefined) {
  // `docker stack deploy` adds the namespace label itself, from the stack's name.
  const { [SWARM_LABELS.stack]: _stack, ...rest } = labels ?? {};
  return rest;
}

function composeVolume(mount: SwarmMount) {
  return mount.Type === 'tmpfs'
    ? { type: 'tmpfs', target: mount.Target, tmpfs: { size: mount.TmpfsOptions?.SizeBytes } }
    : { type: mount.Type, source: mount.Source, target: mount.Target, read_only: mount.ReadOnly };
}

/** Nanoseconds → a Go duration as Compose reads it. */
function duration(ns: number | undefined): string | undefined {
  if (ns === undefined) return undefined;
  return ns % 1e9 === 0 ? `${ns / 1e9}s` : `${ns / 1e6}ms`;
}

function cpus(nano: number | undefined): string | undefined {
  return nano === undefined ? undefined : String(nano / 1e9);
}

function memory(bytes: number | undefined): string | undefined {
  return bytes === undefined ? undefined : `${bytes / MIB}M`;
}
