/** One refused field, as Marathon's 422 body lists it: a JSON path and what is wrong there. */
export interface MarathonViolation {
  readonly path: string;
  readonly errors: readonly string[];
}

const PATH_ID = /^(\/?((\.{2})|([a-z0-9][a-z0-9\-.]*[a-z0-9]+)|([a-z0-9]*))($|\/))+$/;
const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const ENV_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const READINESS_PORT_NAME = /^[a-z][-a-z0-9]*$/;
const HEALTH_PROTOCOLS = [
  'HTTP',
  'HTTPS',
  'TCP',
  'COMMAND',
  'MESOS_TCP',
  'MESOS_HTTP',
  'MESOS_HTTPS',
];
const HTTP_HEALTH_PROTOCOLS = ['HTTP', 'HTTPS', 'MESOS_HTTP', 'MESOS_HTTPS'];
const NETWORK_MODES = ['container', 'container/bridge', 'host'];
const PORT_PROTOCOLS = ['tcp', 'udp', 'tcp,udp'];
const CONSTRAINT_OPERATORS = ['UNIQUE', 'CLUSTER', 'GROUP_BY', 'LIKE', 'UNLIKE', 'MAX_PER'];

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isWhole = (value: unknown, min = 0): boolean =>
  typeof value === 'number' && Number.isInteger(value) && value >= min;
const isPort = (value: unknown): boolean => isWhole(value) && (value as number) <= 65535;

class Violations {
  readonly list: MarathonViolation[] = [];

  add(path: string, error: string): void {
    const existing = this.list.find((v) => v.path === path);
    if (existing) (existing.errors as string[]).push(error);
    else this.list.push({ path, errors: [error] });
  }

  expect(ok: boolean, path: string, error: string): boolean {
    if (!ok) this.add(path, error);
    return ok;
  }
}

/**
 * Checks an app definition against the rules Marathon's REST API enforces (its RAML types and
 * its validators), so Herd finds a definition Marathon would answer 422 before sending it. The
 * result has the shape of Marathon's 422 `details`; empty means valid.
 */
export function validateAppDefinition(app: unknown, at = ''): MarathonViolation[] {
  const v = new Violations();
  if (!isObject(app)) {
    v.add(at || '/', 'must be a JSON object');
    return v.list;
  }
  const p = (field: string) => `${at}/${field}`;

  if (v.expect(typeof app.id === 'string' && app.id.length > 0, p('id'), 'is required')) {
    v.expect(
      PATH_ID.test(app.id as string),
      p('id'),
      'must be a path of lowercase names, digits, dashes and dots, not starting or ending with a dash',
    );
  }
  if (app.instances !== undefined)
    v.expect(isWhole(app.instances), p('instances'), 'must be a whole number ≥ 0');
  if (app.cpus !== undefined)
    v.expect(
      typeof app.cpus === 'number' && app.cpus >= 0.001,
      p('cpus'),
      'must be a number ≥ 0.001',
    );
  if (app.mem !== undefined)
    v.expect(typeof app.mem === 'number' && app.mem >= 0, p('mem'), 'must be a number ≥ 0');
  if (app.disk !== undefined)
    v.expect(typeof app.disk === 'number' && app.disk >= 0, p('disk'), 'must be a number ≥ 0');
  v.expect(
    !(app.cmd !== undefined && app.args !== undefined),
    p('cmd'),
    'cmd and args cannot both be set',
  );
  if (app.cmd !== undefined)
    v.expect(
      typeof app.cmd === 'string' && app.cmd.length > 0,
      p('cmd'),
      'must be a non-empty string',
    );

  const portNames = validateContainerAndNetworks(app, v, p);
  validateEnv(app, v, p);
  validateChecks(app, v, p, portNames);
  validateStrategies(app, v, p);
  validateConstraints(app, v, p);

  if (app.labels !== undefined) {
    if (v.expect(isObject(app.labels), p('labels'), 'must be an object of strings')) {
      for (const [key, value] of Object.entries(app.labels as Json)) {
        v.expect(typeof value === 'string', p(`labels/${key}`), 'must be a string');
      }
    }
  }
  if (app.taskKillGracePeriodSeconds !== undefined) {
    v.expect(
      isWhole(app.taskKillGracePeriodSeconds),
      p('taskKillGracePeriodSeconds'),
      'must be a whole number ≥ 0',
    );
  }
  if (app.backoffFactor !== undefined)
    v.expect(
      typeof app.backoffFactor === 'number' && app.backoffFactor >= 1,
      p('backoffFactor'),
      'must be ≥ 1',
    );
  for (const field of ['backoffSeconds', 'maxLaunchDelaySeconds']) {
    if (app[field] !== undefined)
      v.expect(isWhole(app[field]), p(field), 'must be a whole number ≥ 0');
  }
  return v.list;
}

function validateContainerAndNetworks(
  app: Json,
  v: Violations,
  p: (f: string) => string,
): string[] {
  const names: string[] = [];
  const networks = app.networks;
  let modes: string[] = [];
  if (
    networks !== undefined &&
    v.expect(Array.isArray(networks), p('networks'), 'must be an array')
  ) {
    modes = (networks as unknown[]).map((network, i) => {
      const mode = isObject(network) ? (network.mode ?? 'container') : undefined;
      v.expect(
        typeof mode === 'string' && NETWORK_MODES.includes(mode),
        p(`networks(${i})/mode`),
        `must be one of ${NETWORK_MODES.join(', ')}`,
      );
      if (mode === 'host' || mode === 'container/bridge') {
        v.expect(
          !isObject(network) || network.name === undefined,
          p(`networks(${i})/name`),
          `must be empty in ${mode} mode`,
        );
      }
      return String(mode);
    });
    v.expect(
      !(modes.includes('host') && modes.length > 1),
      p('networks'),
      'host networking cannot be combined with other networks',
    );
    v.expect(
      modes.filter((m) => m === 'container/bridge').length <= 1 &&
        !(modes.includes('container/bridge') && modes.length > 1),
      p('networks'),
      'container/bridge must be the only network',
    );
  }
  const container = app.container;
  if (container === undefined) {
    v.expect(
      app.cmd !== undefined || app.args !== undefined,
      p('cmd'),
      'an app needs cmd, args or a container',
    );
    return names;
  }
  if (!v.expect(isObject(container), p('container'), 'must be an object')) return names;
  const c = container as Json;
  v.expect(
    c.type === undefined || c.type === 'DOCKER' || c.type === 'MESOS',
    p('container/type'),
    'must be DOCKER or MESOS',
  );
  if (c.type === undefined || c.type === 'DOCKER') {
    const docker = c.docker;
    if (v.expect(isObject(docker), p('container/docker'), 'is required for a DOCKER container')) {
      const d = docker as Json;
      v.expect(
        typeof d.image === 'string' && d.image.length > 0,
        p('container/docker/image'),
        'must be a non-empty image name',
      );
      v.expect(
        d.network === undefined,
        p('container/docker/network'),
        'is deprecated since Marathon 1.5: declare networks on the app',
      );
      v.expect(
        d.portMappings === undefined,
        p('container/docker/portMappings'),
        'is deprecated since Marathon 1.5: use container.portMappings',
      );
      if (
        d.parameters !== undefined &&
        v.expect(Array.isArray(d.parameters), p('container/docker/parameters'), 'must be an array')
      ) {
        (d.parameters as unknown[]).forEach((param, i) =>
          v.expect(
            isObject(param) &&
              typeof param.key === 'string' &&
              param.key.length > 0 &&
              typeof param.value === 'string',
            p(`container/docker/parameters(${i})`),
            'must be { key, value } strings',
          ),
        );
      }
    }
  }
  if (
    c.portMappings !== undefined &&
    v.expect(Array.isArray(c.portMappings), p('container/portMappings'), 'must be an array')
  ) {
    v.expect(
      !modes.includes('host'),
      p('container/portMappings'),
      'port mappings are not allowed with host networking: use portDefinitions',
    );
    (c.portMappings as unknown[]).forEach((mapping, i) => {
      const at = (f: string) => p(`container/portMappings(${i})/${f}`);
      if (!v.expect(isObject(mapping), p(`container/portMappings(${i})`), 'must be an object'))
        return;
      const m = mapping as Json;
      v.expect(
        m.containerPort === undefined || isPort(m.containerPort),
        at('containerPort'),
        'must be a port 0-65535',
      );
      v.expect(
        m.hostPort === undefined || isPort(m.hostPort),
        at('hostPort'),
        'must be a port 0-65535',
      );
      v.expect(
        m.servicePort === undefined || isPort(m.servicePort),
        at('servicePort'),
        'must be a port 0-65535',
      );
      v.expect(
        m.protocol === undefined || PORT_PROTOCOLS.includes(m.protocol as string),
        at('protocol'),
        `must be one of ${PORT_PROTOCOLS.join(', ')}`,
      );
      if (m.name !== undefined) {
        if (
          v.expect(
            typeof m.name === 'string' && NAME.test(m.name),
            at('name'),
            'must be a lowercase name of letters, digits and inner dashes',
          )
        ) {
          v.expect(!names.includes(m.name as string), at('name'), 'port names must be unique');
          names.push(m.name as string);
        }
      }
    });
  }
  if (
    c.volumes !== undefined &&
    v.expect(Array.isArray(c.volumes), p('container/volumes'), 'must be an array')
  ) {
    (c.volumes as unknown[]).forEach((volume, i) => {
      const ok =
        isObject(volume) &&
        typeof volume.containerPath === 'string' &&
        volume.containerPath.length > 0 &&
        (volume.mode === 'RO' || volume.mode === 'RW');
      v.expect(ok, p(`container/volumes(${i})`), 'must have a containerPath and mode RO or RW');
    });
  }
  return names;
}

function validateEnv(app: Json, v: Violations, p: (f: string) => string): void {
  const secrets = app.secrets === undefined ? {} : app.secrets;
  if (!v.expect(isObject(secrets), p('secrets'), 'must be an object')) return;
  for (const [key, secret] of Object.entries(secrets as Json)) {
    v.expect(
      isObject(secret) && typeof secret.source === 'string' && secret.source.length > 0,
      p(`secrets/${key}/source`),
      'must be a non-empty string',
    );
  }
  if (app.env === undefined) return;
  if (!v.expect(isObject(app.env), p('env'), 'must be an object')) return;
  for (const [key, value] of Object.entries(app.env as Json)) {
    v.expect(
      ENV_NAME.test(key),
      p(`env/${key}`),
      'must be a variable name ([a-zA-Z_][a-zA-Z0-9_]*)',
    );
    if (isObject(value)) {
      v.expect(
        typeof value.secret === 'string' && Object.hasOwn(secrets as Json, value.secret),
        p(`env/${key}/secret`),
        'references an undefined secret',
      );
    } else {
      v.expect(typeof value === 'string', p(`env/${key}`), 'must be a string or { secret }');
    }
  }
}

function validateChecks(
  app: Json,
  v: Violations,
  p: (f: string) => string,
  portNames: string[],
): void {
  const portCount =
    portNames.length ||
    (Array.isArray((app.container as Json | undefined)?.portMappings)
      ? ((app.container as Json).portMappings as unknown[]).length
      : 0);
  if (
    app.healthChecks !== undefined &&
    v.expect(Array.isArray(app.healthChecks), p('healthChecks'), 'must be an array')
  ) {
    (app.healthChecks as unknown[]).forEach((check, i) => {
      const at = (f: string) => p(`healthChecks(${i})/${f}`);
      if (!v.expect(isObject(check), p(`healthChecks(${i})`), 'must be an object')) return;
      const h = check as Json;
      const protocol = (h.protocol ?? 'HTTP') as string;
      v.expect(
        HEALTH_PROTOCOLS.includes(protocol),
        at('protocol'),
        `must be one of ${HEALTH_PROTOCOLS.join(', ')}`,
      );
      if (HTTP_HEALTH_PROTOCOLS.includes(protocol) && h.path !== undefined) {
        v.expect(
          typeof h.path === 'string' && h.path.startsWith('/'),
          at('path'),
          'must be an absolute path',
        );
      }
      v.expect(
        !(h.port !== undefined && h.portIndex !== undefined),
        at('port'),
        'port and portIndex cannot both be set',
      );
      if (h.portIndex !== undefined) {
        v.expect(
          isWhole(h.portIndex) && (h.portIndex as number) < Math.max(portCount, 1),
          at('portIndex'),
          `must index one of the app's ${portCount} ports`,
        );
      }
      for (const field of [
        'gracePeriodSeconds',
        'intervalSeconds',
        'timeoutSeconds',
        'maxConsecutiveFailures',
        'delaySeconds',
      ]) {
        if (h[field] !== undefined)
          v.expect(isWhole(h[field]), at(field), 'must be a whole number ≥ 0');
      }
      if (protocol === 'COMMAND')
        v.expect(isObject(h.command), at('command'), 'is required for COMMAND checks');
    });
  }
  if (
    app.readinessChecks !== undefined &&
    v.expect(Array.isArray(app.readinessChecks), p('readinessChecks'), 'must be an array')
  ) {
    const checks = app.readinessChecks as unknown[];
    v.expect(checks.length <= 1, p('readinessChecks'), 'only one readiness check is supported');
    checks.forEach((check, i) => {
      const at = (f: string) => p(`readinessChecks(${i})/${f}`);
      if (!v.expect(isObject(check), p(`readinessChecks(${i})`), 'must be an object')) return;
      const r = check as Json;
      v.expect(
        r.protocol === undefined || r.protocol === 'HTTP' || r.protocol === 'HTTPS',
        at('protocol'),
        'must be HTTP or HTTPS',
      );
      v.expect(
        r.path === undefined || (typeof r.path === 'string' && r.path.startsWith('/')),
        at('path'),
        'must be an absolute path',
      );
      const portName = r.portName ?? 'http-api';
      v.expect(
        typeof portName === 'string' &&
          READINESS_PORT_NAME.test(portName) &&
          portNames.includes(portName),
        at('portName'),
        `must name one of the app's ports (${portNames.join(', ') || 'none named'})`,
      );
      const interval = (r.intervalSeconds ?? 30) as number;
      const timeout = (r.timeoutSeconds ?? 10) as number;
      v.expect(isWhole(interval), at('intervalSeconds'), 'must be a whole number ≥ 0');
      v.expect(
        isWhole(timeout) && timeout < interval,
        at('timeoutSeconds'),
        'must be a whole number below intervalSeconds',
      );
      if (r.httpStatusCodesForReady !== undefined) {
        const codes = r.httpStatusCodesForReady;
        v.expect(
          Array.isArray(codes) &&
            codes.length > 0 &&
            codes.every((code) => isWhole(code, 100) && code <= 999) &&
            new Set(codes).size === codes.length,
          at('httpStatusCodesForReady'),
          'must be unique HTTP status codes 100-999',
        );
      }
    });
  }
}

function validateStrategies(app: Json, v: Violations, p: (f: string) => string): void {
  if (
    app.upgradeStrategy !== undefined &&
    v.expect(isObject(app.upgradeStrategy), p('upgradeStrategy'), 'must be an object')
  ) {
    for (const field of ['minimumHealthCapacity', 'maximumOverCapacity']) {
      const value = (app.upgradeStrategy as Json)[field];
      if (value !== undefined)
        v.expect(
          typeof value === 'number' && value >= 0 && value <= 1,
          p(`upgradeStrategy/${field}`),
          'must be a number between 0 and 1',
        );
    }
  }
  const unreachable = app.unreachableStrategy;
  if (unreachable !== undefined && unreachable !== 'disabled') {
    if (
      v.expect(
        isObject(unreachable),
        p('unreachableStrategy'),
        'must be "disabled" or { inactiveAfterSeconds, expungeAfterSeconds }',
      )
    ) {
      const u = unreachable as Json;
      const inactive = (u.inactiveAfterSeconds ?? 300) as number;
      const expunge = (u.expungeAfterSeconds ?? 600) as number;
      v.expect(
        isWhole(inactive, 1),
        p('unreachableStrategy/inactiveAfterSeconds'),
        'must be a whole number ≥ 1',
      );
      v.expect(
        isWhole(expunge, 1) && expunge > inactive,
        p('unreachableStrategy/expungeAfterSeconds'),
        'must be a whole number above inactiveAfterSeconds',
      );
    }
  }
  if (app.killSelection !== undefined) {
    v.expect(
      app.killSelection === 'YoungestFirst' || app.killSelection === 'OldestFirst',
      p('killSelection'),
      'must be YoungestFirst or OldestFirst',
    );
  }
}

function validateConstraints(app: Json, v: Violations, p: (f: string) => string): void {
  if (
    app.constraints === undefined ||
    !v.expect(Array.isArray(app.constraints), p('constraints'), 'must be an array')
  )
    return;
  (app.constraints as unknown[]).forEach((constraint, i) => {
    const at = p(`constraints(${i})`);
    if (
      !v.expect(
        Array.isArray(constraint) &&
          constraint.length >= 2 &&
          constraint.length <= 3 &&
          constraint.every((part) => typeof part === 'string'),
        at,
        'must be [field, operator] or [field, operator, value] strings',
      )
    )
      return;
    const [field, operator, value] = constraint as string[];
    v.expect(field.length > 0, at, 'needs a field name');
    if (
      !v.expect(
        CONSTRAINT_OPERATORS.includes(operator),
        at,
        `operator must be one of ${CONSTRAINT_OPERATORS.join(', ')}`,
      )
    )
      return;
    if (['LIKE', 'UNLIKE', 'MAX_PER'].includes(operator))
      v.expect(value !== undefined, at, `${operator} needs a value`);
    if (operator === 'MAX_PER' || (operator === 'GROUP_BY' && value !== undefined))
      v.expect(/^\d+$/.test(value ?? ''), at, `${operator} value must be a whole number`);
    if (operator === 'UNIQUE') v.expect(value === undefined, at, 'UNIQUE takes no value');
  });
}

/** A group definition: its id, each app (ids inside the group) and nested groups. */
export function validateGroupDefinition(group: unknown, at = ''): MarathonViolation[] {
  const v = new Violations();
  if (!isObject(group)) {
    v.add(at || '/', 'must be a JSON object');
    return v.list;
  }
  const id = group.id as string;
  if (
    !v.expect(
      typeof id === 'string' && id.startsWith('/') && PATH_ID.test(id),
      `${at}/id`,
      'must be an absolute path id',
    )
  )
    return v.list;
  const apps = group.apps ?? [];
  if (!v.expect(Array.isArray(apps), `${at}/apps`, 'must be an array')) return v.list;
  const seen = new Set<string>();
  (apps as unknown[]).forEach((app, i) => {
    v.list.push(...validateAppDefinition(app, `${at}/apps(${i})`));
    const appId = isObject(app) && typeof app.id === 'string' ? app.id : '';
    const absolute = appId.startsWith('/') ? appId : `${id.replace(/\/$/, '')}/${appId}`;
    v.expect(
      absolute.startsWith(`${id.replace(/\/$/, '')}/`),
      `${at}/apps(${i})/id`,
      `is not a child of group ${id}`,
    );
    v.expect(!seen.has(absolute), `${at}/apps(${i})/id`, 'is defined twice');
    seen.add(absolute);
  });
  ((group.groups ?? []) as unknown[]).forEach((child, i) =>
    v.list.push(...validateGroupDefinition(child, `${at}/groups(${i})`)),
  );
  return v.list;
}
