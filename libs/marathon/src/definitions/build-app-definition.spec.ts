import { defineServiceManifest } from '@herd/manifest';
import { buildAppDefinition, buildGroupDefinition } from './build-app-definition';
import { validateAppDefinition, validateGroupDefinition } from './validate-app-definition';

const manifest = defineServiceManifest({
  name: 'inventory',
  version: '2.1.0',
  ports: [
    { name: 'http', containerPort: 3100 },
    { name: 'admin', containerPort: 3199 },
  ],
  instances: 3,
  env: {
    NODE_ENV: 'production',
    INVENTORY_DATABASE_URL: { secret: 'herd/inventory/database-url' },
  },
  volumes: [{ containerPath: '/srv/media', hostPath: '/srv/herd/media' }],
  tags: ['api', 'v2'],
  routing: { group: 'external', vhost: 'inventory.example.org' },
  drain: { graceMs: 4000, drainTimeoutMs: 20_000, closeMs: 1000 },
});

describe('buildAppDefinition', () => {
  const app = buildAppDefinition(manifest);

  it('produces a definition Marathon accepts', () => {
    expect(validateAppDefinition(app)).toEqual([]);
  });

  it('uses the 1.5 networking API: container/bridge network, named container.portMappings', () => {
    expect(app.id).toBe('/herd/inventory');
    expect(app.networks).toEqual([{ mode: 'container/bridge' }]);
    expect(app.container?.type).toBe('DOCKER');
    expect(app.container?.docker).not.toHaveProperty('network');
    expect(app.container?.docker).not.toHaveProperty('portMappings');
    expect(app.container?.docker.image).toBe('herd/inventory:2.1.0');
    expect(app.container?.portMappings).toEqual([
      { name: 'http', containerPort: 3100, hostPort: 0, servicePort: 0, protocol: 'tcp' },
      { name: 'admin', containerPort: 3199, hostPort: 0, servicePort: 0, protocol: 'tcp' },
    ]);
    // Marathon would set PORT to the host port and HOST to the agent: the container port wins.
    expect(app.env).toMatchObject({ HOST: '0.0.0.0', PORT: '3100' });
  });

  it('checks liveness with MESOS_HTTP and gates each upgrade step on readiness', () => {
    expect(app.healthChecks).toEqual([
      expect.objectContaining({ protocol: 'MESOS_HTTP', path: '/health/live', portIndex: 0 }),
    ]);
    expect(app.readinessChecks).toEqual([
      expect.objectContaining({
        protocol: 'HTTP',
        path: '/health/ready',
        portName: 'http',
        httpStatusCodesForReady: [200],
      }),
    ]);
  });

  it('rolls out with zero downtime and drains before SIGKILL', () => {
    expect(app.upgradeStrategy?.minimumHealthCapacity).toBe(1);
    expect(app.upgradeStrategy?.maximumOverCapacity).toBe(manifest.rollout.maxSurge);
    expect((app.taskKillGracePeriodSeconds ?? 0) * 1000).toBeGreaterThanOrEqual(
      4000 + 20_000 + 1000,
    );
    expect(app.killSelection).toBe('YoungestFirst');
    expect(app.unreachableStrategy).toEqual({ inactiveAfterSeconds: 60, expungeAfterSeconds: 600 });
    expect(app.constraints).toEqual([['hostname', 'GROUP_BY']]);
  });

  it('labels version, Consul name and tags, and marathon-lb routing', () => {
    expect(app.labels).toEqual({
      HERD_SERVICE: 'inventory',
      HERD_VERSION: '2.1.0',
      HERD_CONSUL_NAME: 'inventory',
      HERD_CONSUL_TAGS: 'api,v2',
      HAPROXY_GROUP: 'external',
      HAPROXY_0_VHOST: 'inventory.example.org',
    });
  });

  it('passes secrets by reference only', () => {
    expect(app.env?.INVENTORY_DATABASE_URL).toEqual({ secret: 'INVENTORY_DATABASE_URL' });
    expect(app.secrets).toEqual({
      INVENTORY_DATABASE_URL: { source: 'herd/inventory/database-url' },
    });
  });

  it('puts the herd in one group Marathon accepts', () => {
    const group = buildGroupDefinition([
      manifest,
      defineServiceManifest({ ...manifest, name: 'billing' }),
    ]);
    expect(group.apps.map((a) => a.id)).toEqual(['/herd/inventory', '/herd/billing']);
    expect(validateGroupDefinition(group)).toEqual([]);
  });
});
