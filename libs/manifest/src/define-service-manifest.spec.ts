import { HEALTH_DEFAULTS } from '@herd/health';
import { REGISTRY_DEFAULTS } from '@herd/registry';
import { defineServiceManifest, manifestImageRef, rolloutBatch } from './define-service-manifest';
import { ManifestError } from './errors/manifest.error';
import { ServiceManifestInput } from './service-manifest.interface';

const minimal: ServiceManifestInput = {
  name: 'inventory',
  version: '1.2.3',
  ports: [{ name: 'http', containerPort: 3100 }],
};

function refusal(input: Partial<ServiceManifestInput>): ManifestError {
  try {
    defineServiceManifest({ ...minimal, ...input });
  } catch (error) {
    if (error instanceof ManifestError) return error;
    throw error;
  }
  throw new Error('the manifest was accepted');
}

describe('defineServiceManifest', () => {
  it('derives health paths, check cadence and drain from @herd/health and @herd/registry', () => {
    const manifest = defineServiceManifest(minimal);
    expect(manifest.health).toEqual({
      livePath: '/health/live',
      readyPath: REGISTRY_DEFAULTS.httpPath,
      gracePeriodSeconds: 60,
      intervalSeconds: REGISTRY_DEFAULTS.checkIntervalMs / 1000,
      timeoutSeconds: REGISTRY_DEFAULTS.checkTimeoutMs / 1000,
      maxConsecutiveFailures: 3,
    });
    expect(manifest.drain.graceMs).toBe(HEALTH_DEFAULTS.graceMs);
    expect(manifest.drain.drainTimeoutMs).toBe(HEALTH_DEFAULTS.drainTimeoutMs);
    expect(manifest.drain.killGracePeriodSeconds * 1000).toBeGreaterThanOrEqual(
      HEALTH_DEFAULTS.graceMs + HEALTH_DEFAULTS.drainTimeoutMs + manifest.drain.closeMs,
    );
    expect(manifest.ports).toEqual([{ name: 'http', containerPort: 3100, protocol: 'tcp' }]);
    expect(manifest.instances).toBe(2);
    expect(manifestImageRef(manifest)).toBe('herd/inventory:1.2.3');
  });

  it('rounds the kill grace period up so a drain deadline is never cut short', () => {
    const manifest = defineServiceManifest({
      ...minimal,
      drain: { graceMs: 1500, drainTimeoutMs: 2001, closeMs: 0 },
    });
    expect(manifest.drain.killGracePeriodSeconds).toBe(4);
  });

  it.each([
    [{ name: 'Inventory' }, 'name'],
    [{ version: 'latest' }, 'version'],
    [{ image: 'herd/inventory:1.0.0' }, 'image'],
    [{ ports: [] }, 'ports'],
    [{ ports: [{ name: 'HTTP', containerPort: 1 }] }, 'ports[0].name'],
    [{ ports: [{ name: 'http', containerPort: 70000 }] }, 'ports[0].containerPort'],
    [
      {
        ports: [
          { name: 'http', containerPort: 1 },
          { name: 'http', containerPort: 2 },
        ],
      },
      'ports[1].name',
    ],
    [{ cpus: 0 }, 'cpus'],
    [{ instances: 1.5 }, 'instances'],
    [{ env: { 'BAD-NAME': 'x' } }, 'env.BAD-NAME'],
    [{ env: { HERD_CONSUL_TOKEN: 'abc' } }, 'env.HERD_CONSUL_TOKEN'],
    [{ env: { INVENTORY_DATABASE_URL: 'postgres://u:pw@db/x' } }, 'env.INVENTORY_DATABASE_URL'],
    [{ env: { DB: { secret: ' ' } } }, 'env.DB.secret'],
    [{ volumes: [{ containerPath: 'media', hostPath: '/srv' }] }, 'volumes[0].containerPath'],
    [{ health: { livePath: 'health' } }, 'health.livePath'],
    [{ health: { intervalSeconds: 5, timeoutSeconds: 5 } }, 'health.timeoutSeconds'],
    [{ drain: { graceMs: -1 } }, 'drain.graceMs'],
    [{ tags: ['a b'] }, 'tags[0]'],
    [{ routing: { vhost: 'not a host' } }, 'routing.vhost'],
  ] as Array<[Partial<ServiceManifestInput>, string]>)('refuses %j naming %s', (input, field) => {
    const error = refusal(input);
    expect(error.field).toBe(field);
    expect(error.message).toContain(field);
  });

  it('rolls out half as many again by default, and refuses a surge outside 0 to 1', () => {
    expect(defineServiceManifest(minimal).rollout).toEqual({ maxSurge: 0.5 });
    expect(rolloutBatch(defineServiceManifest({ ...minimal, instances: 3 }))).toBe(1);
    expect(rolloutBatch(defineServiceManifest({ ...minimal, instances: 6 }))).toBe(3);
    expect(rolloutBatch(defineServiceManifest({ ...minimal, rollout: { maxSurge: 1 } }), 5)).toBe(
      5,
    );
    for (const maxSurge of [-0.1, 1.5, Number.NaN]) {
      expect(refusal({ rollout: { maxSurge } })).toMatchObject({ field: 'rollout.maxSurge' });
    }
  });

  it('keeps secrets as references and never as values', () => {
    const manifest = defineServiceManifest({
      ...minimal,
      env: { INVENTORY_DATABASE_URL: { secret: 'herd/inventory/database-url' }, LOG: 'info' },
    });
    expect(manifest.env).toEqual({
      INVENTORY_DATABASE_URL: { secret: 'herd/inventory/database-url' },
      LOG: 'info',
    });
  });
});
