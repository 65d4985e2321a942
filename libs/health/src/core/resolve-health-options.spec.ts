import { HealthOptionsError } from '../errors/health-options.error';
import type { HealthModuleOptions } from '../interfaces/health-module-options.interface';
import { resolveHealthOptions } from './resolve-health-options';

describe('resolveHealthOptions', () => {
  it('applies documented defaults', () => {
    const resolved = resolveHealthOptions({ service: 'codec' }, { npm_package_version: '3.1.0' });
    expect(resolved).toMatchObject({
      service: 'codec',
      version: '3.1.0',
      checkIntervalMs: 5000,
      checkTimeoutMs: 2000,
      maxEventLoopLagMs: 1000,
      graceMs: 3000,
      drainTimeoutMs: 10000,
      logLevel: 'info',
      mediaFolders: [],
      readiness: [],
    });
    expect(resolved.instanceId).toMatch(new RegExp(`-${process.pid}$`));
    expect(resolveHealthOptions({ service: 'codec' }, {}).version).toBe('0.0.0');
  });

  it('names unnamed readiness functions by position and normalizes media folders', () => {
    const fn = async () => ({});
    const resolved = resolveHealthOptions({
      service: 's',
      readiness: [fn, { name: 'consul', check: fn }],
      mediaFolders: ['/srv/media', { path: '/srv/out', maxUsedRatio: 0.5 }],
    });
    expect(resolved.readiness.map((r) => r.name)).toEqual(['readiness[0]', 'consul']);
    expect(resolved.mediaFolders).toEqual([
      { path: '/srv/media', maxUsedRatio: 0.9 },
      { path: '/srv/out', maxUsedRatio: 0.5 },
    ]);
  });

  it.each<[string, unknown]>([
    ['service', { service: '' }],
    ['service', undefined],
    ['checkIntervalMs', { service: 's', checkIntervalMs: 0 }],
    ['checkTimeoutMs', { service: 's', checkTimeoutMs: Number.NaN }],
    ['maxEventLoopLagMs', { service: 's', maxEventLoopLagMs: '5' }],
    ['shutdown.graceMs', { service: 's', shutdown: { graceMs: -1 } }],
    ['shutdown.drainTimeoutMs', { service: 's', shutdown: { drainTimeoutMs: Infinity } }],
    [
      'mediaFolders[0].maxUsedRatio',
      { service: 's', mediaFolders: [{ path: '/m', maxUsedRatio: 2 }] },
    ],
    ['mediaFolders[1].path', { service: 's', mediaFolders: ['/m', { path: '' }] }],
    ['readiness[0]', { service: 's', readiness: [42] }],
    ['dataSource', { service: 's', dataSource: {} }],
    ['logging.level', { service: 's', logging: { level: 'loud' } }],
    ['logging.destination', { service: 's', logging: { destination: {} } }],
  ])('rejects a bad %s, naming it', (key, options) => {
    let caught: unknown;
    try {
      resolveHealthOptions(options as HealthModuleOptions);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(HealthOptionsError);
    expect((caught as HealthOptionsError).key).toBe(key);
    expect((caught as HealthOptionsError).message).toContain(`"${key}"`);
    expect((caught as HealthOptionsError).retryable).toBe(false);
  });
});
