import { defineServiceManifest } from '@herd/manifest';
import { buildAppDefinition } from './build-app-definition';
import { validateAppDefinition, validateGroupDefinition } from './validate-app-definition';

const valid = buildAppDefinition(
  defineServiceManifest({
    name: 'inventory',
    version: '1.0.0',
    ports: [{ name: 'http', containerPort: 3100 }],
  }),
) as unknown as Record<string, unknown>;

/** `valid` with one field replaced at a dotted path. */
function changed(path: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(valid);
  const keys = path.split('.');
  let node = copy as Record<string, unknown>;
  for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>;
  if (value === undefined) delete node[keys[keys.length - 1]];
  else node[keys[keys.length - 1]] = value;
  return copy;
}

describe('validateAppDefinition (Marathon refuses these with 422)', () => {
  it.each([
    ['id', 'Inventory_App', '/id'],
    ['instances', -1, '/instances'],
    ['cpus', 0, '/cpus'],
    ['container.docker.network', 'BRIDGE', '/container/docker/network'],
    ['container.docker.image', '', '/container/docker/image'],
    ['networks', [{ mode: 'overlay' }], '/networks(0)/mode'],
    ['networks', [{ mode: 'host' }], '/container/portMappings'],
    [
      'container.portMappings',
      [{ name: 'http', containerPort: 70000 }],
      '/container/portMappings(0)/containerPort',
    ],
    ['env', { HOST: { secret: 'missing' } }, '/env/HOST/secret'],
    [
      'healthChecks',
      [{ protocol: 'MESOS_HTTP', path: 'health', portIndex: 0 }],
      '/healthChecks(0)/path',
    ],
    ['healthChecks', [{ protocol: 'MESOS_HTTP', portIndex: 3 }], '/healthChecks(0)/portIndex'],
    ['healthChecks', [{ protocol: 'GRPC' }], '/healthChecks(0)/protocol'],
    [
      'readinessChecks',
      [{ portName: 'admin', intervalSeconds: 10, timeoutSeconds: 5 }],
      '/readinessChecks(0)/portName',
    ],
    [
      'readinessChecks',
      [{ portName: 'http', intervalSeconds: 5, timeoutSeconds: 5 }],
      '/readinessChecks(0)/timeoutSeconds',
    ],
    [
      'upgradeStrategy',
      { minimumHealthCapacity: 1.5, maximumOverCapacity: 0 },
      '/upgradeStrategy/minimumHealthCapacity',
    ],
    [
      'unreachableStrategy',
      { inactiveAfterSeconds: 600, expungeAfterSeconds: 60 },
      '/unreachableStrategy/expungeAfterSeconds',
    ],
    ['killSelection', 'RandomFirst', '/killSelection'],
    ['taskKillGracePeriodSeconds', 2.5, '/taskKillGracePeriodSeconds'],
    ['constraints', [['hostname', 'SPREAD']], '/constraints(0)'],
    ['constraints', [['hostname', 'MAX_PER']], '/constraints(0)'],
    ['labels', { HERD_VERSION: 1 }, '/labels/HERD_VERSION'],
  ])('%s = %j is refused at %s', (field, value, path) => {
    const violations = validateAppDefinition(changed(field, value));
    expect(violations.map((v) => v.path)).toContain(path);
    expect(violations.find((v) => v.path === path)?.errors.length).toBeGreaterThan(0);
  });

  it('refuses a definition with neither a command nor a container', () => {
    expect(validateAppDefinition({ id: '/x', instances: 1 }).map((v) => v.path)).toEqual(['/cmd']);
  });

  it('refuses an app outside its group and a duplicate', () => {
    const group = { id: '/herd', apps: [changed('id', '/other/inventory'), valid, valid] };
    expect(validateGroupDefinition(group).map((v) => v.path)).toEqual([
      '/apps(0)/id',
      '/apps(2)/id',
    ]);
  });
});
