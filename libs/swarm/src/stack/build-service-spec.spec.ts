import { ServiceManifestInput, defineServiceManifest } from '@herd/manifest';
import { SwarmDefinitionError } from '../errors/swarm-definition.error';
import { buildServiceSpec, swarmSecretNeeds } from './build-service-spec';
import { renderSwarmStack } from './render-swarm-stack';

const input = {
  name: 'codec',
  version: '1.4.0',
  ports: [{ name: 'http', containerPort: 3001 }],
  cpus: 1,
  memMb: 512,
  instances: 3,
  env: {
    NODE_ENV: 'production',
    HERD_CONSUL_URL: 'http://consul.service.consul:8500',
    CODEC_DATABASE_URL: { secret: 'herd/codec/database-url' },
  },
  volumes: [{ containerPath: '/srv/media', hostPath: '/srv/herd/codec-media' }],
  health: { intervalSeconds: 4, timeoutSeconds: 2, maxConsecutiveFailures: 3 },
  drain: { graceMs: 3000, drainTimeoutMs: 10_000, closeMs: 5000 },
} satisfies ServiceManifestInput;
const manifest = defineServiceManifest(input);

function env(spec: ReturnType<typeof buildServiceSpec>): Record<string, string> {
  return Object.fromEntries(
    (spec.TaskTemplate.ContainerSpec.Env ?? []).map((entry) => {
      const at = entry.indexOf('=');
      return [entry.slice(0, at), entry.slice(at + 1)];
    }),
  );
}

describe('buildServiceSpec', () => {
  const spec = buildServiceSpec(manifest, { stack: 'herd' });
  const container = spec.TaskTemplate.ContainerSpec;

  it('rolls start-first, ⌊replicas × maxSurge⌋ tasks at a time, and rolls back on the first failed task', () => {
    expect(spec.Name).toBe('herd_codec');
    expect(spec.Mode.Replicated.Replicas).toBe(3);
    expect(spec.UpdateConfig).toMatchObject({
      Parallelism: 1,
      Order: 'start-first',
      FailureAction: 'rollback',
      MaxFailureRatio: 0,
    });
    expect(spec.RollbackConfig).toMatchObject({ Parallelism: 1, Order: 'start-first' });
    // The monitor window covers the time Docker needs to call a new task unhealthy (the check's
    // timeout raised to 3 s: see the health check test).
    expect(spec.UpdateConfig?.Monitor).toBe((4 * 3 + 3) * 1e9);
  });

  it('replaces as many tasks at once as the manifest’s rollout.maxSurge allows, at least one', () => {
    const batch = (maxSurge: number, replicas: number) =>
      buildServiceSpec(defineServiceManifest({ ...input, rollout: { maxSurge } }), { replicas })
        .UpdateConfig?.Parallelism;
    expect(batch(0.5, 3)).toBe(1);
    expect(batch(0.5, 4)).toBe(2);
    expect(batch(1, 3)).toBe(3);
    expect(batch(0, 3)).toBe(1);
    expect(batch(1, 0)).toBe(1);
  });

  it('gives SIGTERM at least the whole drain deadline before SIGKILL', () => {
    expect(container.StopSignal).toBe('SIGTERM');
    expect(container.StopGracePeriod).toBeGreaterThanOrEqual(
      (manifest.drain.graceMs + manifest.drain.drainTimeoutMs + manifest.drain.closeMs) * 1e6,
    );
  });

  it('limits CPU and memory as the manifest says and reserves less, so a roll fits a node', () => {
    expect(spec.TaskTemplate.Resources?.Limits).toEqual({
      NanoCPUs: 1e9,
      MemoryBytes: 512 * 1024 * 1024,
    });
    const reserved = spec.TaskTemplate.Resources?.Reservations;
    expect(reserved?.NanoCPUs).toBeLessThan(1e9);
    expect(reserved?.MemoryBytes).toBeLessThan(512 * 1024 * 1024);
  });

  it('gates health on readiness once, then liveness, on the port the task itself listens on', () => {
    const health = container.Healthcheck;
    expect(health?.Test.slice(0, 3)).toEqual(['CMD', 'bash', '-c']);
    expect(health?.Test[3]).toContain('path=/health/ready');
    expect(health?.Test[3]).toContain('path=/health/live');
    expect(health?.Test[3]).toContain('port=$(</tmp/.herd-port)');
    // The manifest asks 2 s; a loaded node can hold even a cheap check back longer.
    expect(health).toMatchObject({ Interval: 4e9, Timeout: 3e9, Retries: 3, StartPeriod: 60e9 });
    // Every task an ephemeral port, written where the check reads it: no two tasks of a node
    // (start-first update, restart) ever want the same port.
    expect(env(spec).PORT).toBe('0');
    expect(env(spec).HERD_PORT_FILE).toBe('/tmp/.herd-port');
    expect(env(spec).HERD_INSTANCE_ID).toBe('codec-{{.Task.Slot}}-{{.Task.ID}}');
    expect(env(spec).HERD_SERVICE_VERSION).toBe('1.4.0');
  });

  it('passes secrets as Docker secret files, never as values in the environment', () => {
    expect(env(spec)).not.toHaveProperty('CODEC_DATABASE_URL');
    expect(env(spec).CODEC_DATABASE_URL_FILE).toBe('/run/secrets/herd-codec-database-url');
    expect(container.Secrets).toEqual([
      {
        SecretName: 'herd-codec-database-url',
        File: { Name: 'herd-codec-database-url', UID: '0', GID: '0', Mode: 0o444 },
      },
    ]);
    expect(swarmSecretNeeds(manifest, { secretPrefix: 't1-' })).toEqual([
      {
        name: 't1-herd-codec-database-url',
        ref: 'herd/codec/database-url',
        envKey: 'CODEC_DATABASE_URL',
      },
    ]);
  });

  it('drops every capability, runs on a read-only root with a tmpfs /tmp, spreads over nodes', () => {
    expect(container.CapabilityDrop).toEqual(['ALL']);
    expect(container.ReadOnly).toBe(true);
    expect(container.Mounts).toEqual([
      { Type: 'tmpfs', Target: '/tmp', TmpfsOptions: { SizeBytes: 64 * 1024 * 1024 } },
      { Type: 'bind', Source: '/srv/herd/codec-media', Target: '/srv/media', ReadOnly: false },
    ]);
    expect(spec.TaskTemplate.Placement?.Preferences).toEqual([
      { Spread: { SpreadDescriptor: 'node.id' } },
    ]);
    expect(spec.TaskTemplate.Networks).toEqual([{ Target: 'host' }]);
  });

  it('takes this swarm’s addresses, host and volume paths over the manifest', () => {
    const local = buildServiceSpec(manifest, {
      serviceName: 't1-codec',
      host: '127.0.0.1',
      replicas: 2,
      env: { HERD_CONSUL_URL: 'http://127.0.0.1:58535' },
      volumeSources: { '/srv/media': '/var/lib/herd/media' },
    });
    expect(local.Name).toBe('t1-codec');
    expect(local.Mode.Replicated.Replicas).toBe(2);
    expect(env(local)).toMatchObject({
      HOST: '127.0.0.1',
      HERD_CONSUL_URL: 'http://127.0.0.1:58535',
    });
    expect(local.TaskTemplate.ContainerSpec.Mounts?.[1]?.Source).toBe('/var/lib/herd/media');
  });

  it('mounts the engine socket read-write with its group, on a manager only, when asked', () => {
    expect(container.Groups).toBeUndefined();
    expect(spec.TaskTemplate.Placement?.Constraints).toBeUndefined();
    const driver = buildServiceSpec(manifest, { dockerSocket: { gid: 106 } });
    const mounts = driver.TaskTemplate.ContainerSpec.Mounts ?? [];
    expect(mounts[mounts.length - 1]).toEqual({
      Type: 'bind',
      Source: '/var/run/docker.sock',
      Target: '/var/run/docker.sock',
      ReadOnly: false,
    });
    // The image's user stays uid 999; the socket's group is added to it, nothing more.
    expect(driver.TaskTemplate.ContainerSpec.Groups).toEqual(['106']);
    expect(driver.TaskTemplate.ContainerSpec.CapabilityDrop).toEqual(['ALL']);
    expect(driver.TaskTemplate.Placement?.Constraints).toEqual(['node.role == manager']);
    const elsewhere = buildServiceSpec(manifest, {
      dockerSocket: { gid: 0, hostPath: '/run/user/1000/docker.sock' },
    });
    expect(elsewhere.TaskTemplate.ContainerSpec.Mounts?.at(-1)).toMatchObject({
      Source: '/run/user/1000/docker.sock',
      Target: '/var/run/docker.sock',
    });
  });

  it('refuses a stack file for a task with the socket: docker stack deploy cannot add its group', () => {
    const driver = buildServiceSpec(manifest, { dockerSocket: { gid: 106 } });
    expect(() => renderSwarmStack([spec, driver])).toThrow(SwarmDefinitionError);
    expect(() => renderSwarmStack([driver])).toThrow(/codec": dockerSocket .*group_add/);
    expect(renderSwarmStack([spec])).not.toContain('docker.sock');
  });

  it.each([
    [{ replicas: -1 }, 'replicas'],
    [{ replicas: 1.5 }, 'replicas'],
    [{ dockerSocket: { gid: -1 } }, 'dockerSocket.gid'],
    [{ dockerSocket: { gid: Number.NaN } }, 'dockerSocket.gid'],
  ])('refuses %j naming %s', (options, field) => {
    let thrown: unknown;
    try {
      buildServiceSpec(manifest, options);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SwarmDefinitionError);
    expect((thrown as SwarmDefinitionError).field).toBe(field);
  });
});
