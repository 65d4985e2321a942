import { RegistryOptionsError } from './errors/registry-options.error';
import { RegistryModuleOptions } from './interfaces/registry-options.interface';
import { validateRegistryOptions } from './registry-options.validator';

const base: RegistryModuleOptions = { service: { name: 'courseware', version: '1.2.3' } };

function keyOf(options: unknown): string | undefined {
  try {
    validateRegistryOptions(options as RegistryModuleOptions);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(RegistryOptionsError);
    return (error as RegistryOptionsError).optionKey;
  }
}

describe('validateRegistryOptions', () => {
  it('applies the documented defaults', () => {
    const resolved = validateRegistryOptions(base);
    expect(resolved.backend).toBe('consul');
    expect(resolved.service.id).toMatch(/^courseware-.+-[0-9a-f]{8}$/);
    expect(resolved.consul.url.href).toBe('http://127.0.0.1:8500/');
    expect(resolved.checks).toEqual({
      httpPath: '/health/ready',
      httpScheme: 'http',
      intervalMs: 10_000,
      timeoutMs: 5000,
      ttlMs: 15_000,
      deregisterCriticalAfterMs: 60_000,
    });
    expect(resolved.registration).toEqual({
      auto: true,
      antiEntropyIntervalMs: 5000,
      readinessPollMs: 250,
    });
    expect(resolved.client.balancer).toBe('round-robin');
  });

  it.each([
    [{ ...base, service: undefined }, 'service'],
    [{ service: { name: 'Bad_Name', version: '1.0.0' } }, 'service.name'],
    [{ service: { name: 'ok', version: 'latest' } }, 'service.version'],
    [{ ...base, service: { ...base.service, port: 70000 } }, 'service.port'],
    [{ ...base, consul: { url: 'not a url' } }, 'consul.url'],
    [{ ...base, consul: { url: 'http://user:secret@127.0.0.1:8500' } }, 'consul.url'],
    [{ ...base, consul: { url: 'http://127.0.0.1:8500', tls: {} } }, 'consul.tls'],
    [{ ...base, checks: { httpPath: 'health' } }, 'checks.httpPath'],
    [{ ...base, checks: { ttlMs: 0 } }, 'checks.ttlMs'],
    [{ ...base, checks: { deregisterCriticalAfterMs: -1 } }, 'checks.deregisterCriticalAfterMs'],
    [{ ...base, registration: { readinessPollMs: 0 } }, 'registration.readinessPollMs'],
    [{ ...base, client: { balancer: 'fastest' } }, 'client.balancer'],
    [{ ...base, client: { retries: -1 } }, 'client.retries'],
    [{ ...base, discovery: { retryBaseMs: 500, retryMaxMs: 100 } }, 'discovery.retryMaxMs'],
    [{ ...base, discovery: { blockingWaitMs: 700_000 } }, 'discovery.blockingWaitMs'],
    [{ ...base, backend: 'etcd' }, 'backend'],
  ])('rejects %j naming %s', (options, key) => {
    expect(keyOf(options)).toBe(key);
  });

  it('never puts the ACL token in the error text', () => {
    const token = 'secret-token-value';
    try {
      validateRegistryOptions({ ...base, consul: { url: 'ftp://x', token } });
    } catch (error) {
      expect((error as Error).message).not.toContain(token);
    }
    expect.assertions(1);
  });
});
