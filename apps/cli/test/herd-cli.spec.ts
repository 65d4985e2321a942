import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { MarathonApp, MarathonClient, MarathonInvalidDefinitionError } from '@herd/marathon';
import { eventually, freePort } from '@herd/testing';
import { MarathonDouble } from '../../../libs/marathon/test/marathon-double';
import { EXIT } from '../src/exit-codes';
import { spawnHerd, type HerdRun } from './spawn-herd';

const ROOT = resolve(__dirname, '..', '..', '..');
const CODEC_JSON = join(ROOT, 'docker', 'marathon', 'codec.json');
const codec = JSON.parse(readFileSync(CODEC_JSON, 'utf8')) as MarathonApp;
const GOOD_IMAGE = codec.container?.docker.image as string;
const BROKEN_IMAGE = `${GOOD_IMAGE}-broken`;
const FAST = ['--poll-interval', '0.2'];

/** codec.json with another image: a new version of the same app. */
function codecWith(image: string, dir: string): string {
  const file = join(dir, `codec-${image.replace(/\W/g, '_')}.json`);
  const definition = structuredClone(codec) as unknown as {
    container: { docker: { image: string } };
  };
  definition.container.docker.image = image;
  writeFileSync(file, JSON.stringify(definition));
  return file;
}

const progressLines = (run: HerdRun) =>
  run.stdout.split('\n').filter((l) => l.includes('healthy,'));

describe('herd CLI against the Marathon double', () => {
  let double: MarathonDouble;
  let env: NodeJS.ProcessEnv;
  let client: MarathonClient;
  const dir = mkdtempSync(join(tmpdir(), 'herd-cli-'));

  beforeEach(async () => {
    double = new MarathonDouble({
      taskStartMs: 150,
      healthyAfterMs: 150,
      brokenImages: [BROKEN_IMAGE],
    });
    const url = await double.start();
    env = { MARATHON_URL: url };
    client = new MarathonClient({ url });
  });

  afterEach(() => double.stop());

  const deployed = async () => {
    const run = await spawnHerd(['deploy', CODEC_JSON, ...FAST], env);
    expect(run).toMatchObject({ code: EXIT.ok });
    return run;
  };

  it('deploy creates the app, shows progress and ends when every instance is healthy', async () => {
    const run = await deployed();
    expect(run.stdout).toContain(`deploying /herd/codec (${GOOD_IMAGE}, 2 instances)`);
    expect(progressLines(run).length).toBeGreaterThan(1);
    expect(run.stdout).toMatch(/\/herd\/codec created and healthy: 2 of 2 at version \S+ in/);
    expect(double.requests).toContainEqual({ method: 'POST', path: '/v2/apps' });
    const app = await client.getApp('/herd/codec');
    expect(app).toMatchObject({ instances: 2, tasksHealthy: 2, deployments: [] });
  }, 180_000);

  it('deploy of a new version updates with PUT and keeps every instance healthy on the way', async () => {
    await deployed();
    const run = await spawnHerd(['deploy', codecWith(`${GOOD_IMAGE}-next`, dir), ...FAST], env);
    expect(run.code).toBe(EXIT.ok);
    expect(run.stdout).toContain('updated and healthy: 2 of 2');
    expect(double.requests).toContainEqual({ method: 'PUT', path: '/v2/apps/herd/codec' });
    // minimumHealthCapacity 1: the healthy count never drops below the instance count.
    for (const line of progressLines(run)) expect(line).toMatch(/all 2 healthy/);
    const app = await client.getApp('/herd/codec');
    expect(app.container?.docker.image).toBe(`${GOOD_IMAGE}-next`);
  }, 180_000);

  it('a deploy whose health checks fail times out, rolls back to the previous version and says so in one line', async () => {
    await deployed();
    const before = await client.getApp('/herd/codec');
    const run = await spawnHerd(
      [
        'deploy',
        codecWith(BROKEN_IMAGE, dir),
        '--timeout',
        '2',
        '--rollback-timeout',
        '60',
        ...FAST,
      ],
      env,
    );
    expect(run.code).toBe(EXIT.rolledBack);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(
        `deploy of /herd/codec timed out after .* \\(0 of 2 healthy on version \\S+\\); rolled back to version ${before.version}: 2 of 2 healthy`,
      ),
    );
    expect(double.requests).toContainEqual({ method: 'GET', path: '/v2/apps/herd/codec/versions' });
    expect(double.requests).toContainEqual({
      method: 'GET',
      path: `/v2/apps/herd/codec/versions/${encodeURIComponent(before.version)}`,
    });
    expect(double.requests).toContainEqual({
      method: 'PUT',
      path: '/v2/apps/herd/codec?force=true',
    });
    const after = await client.getApp('/herd/codec');
    expect(after).toMatchObject({
      instances: 2,
      tasksHealthy: 2,
      tasksUnhealthy: 0,
      deployments: [],
    });
    expect(after.container?.docker.image).toBe(GOOD_IMAGE);
  }, 240_000);

  it('a new app that never turns healthy cannot be rolled back: exit 6, one line saying why', async () => {
    const run = await spawnHerd(
      ['deploy', codecWith(BROKEN_IMAGE, dir), '--timeout', '2', ...FAST],
      env,
    );
    expect(run.code).toBe(EXIT.timedOut);
    expect(run.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /timed out .* was not rolled back: the app is new, there is no earlier version/,
      ),
    ]);
  }, 180_000);

  it('a 409 is explained (deployment, action, the two ways out) and --force goes ahead', async () => {
    await deployed();
    // A stuck deployment holds the lock: new tasks of a broken image never turn healthy.
    const stuck = await client.updateApp('/herd/codec', {
      container: {
        ...codec.container!,
        docker: { ...codec.container!.docker, image: BROKEN_IMAGE },
      },
    });
    const refused = await spawnHerd(['scale', '/herd/codec', '3', ...FAST], env);
    expect(refused.code).toBe(EXIT.locked);
    expect(refused.stderr).toContain(
      `locked by deployment ${stuck.deploymentId} (RestartApplication, step 1 of 1`,
    );
    expect(refused.stderr).toContain('--force');
    const forced = await spawnHerd(['deploy', CODEC_JSON, '--force', ...FAST], env);
    expect(forced.code).toBe(EXIT.ok);
    expect(double.requests).toContainEqual({
      method: 'PUT',
      path: '/v2/apps/herd/codec?force=true',
    });
  }, 180_000);

  it('scale and restart run as deployments and end healthy; status shows the app list', async () => {
    await deployed();
    const scaled = await spawnHerd(['scale', '/herd/codec', '3', ...FAST], env);
    expect(scaled.code).toBe(EXIT.ok);
    expect(scaled.stdout).toContain('ScaleApplication');
    expect(scaled.stdout).toContain('scaled: 3 of 3 healthy');
    const before = await client.getApp('/herd/codec');
    const restarted = await spawnHerd(['restart', '/herd/codec', ...FAST], env);
    expect(restarted.code).toBe(EXIT.ok);
    expect(restarted.stdout).toContain('RestartApplication');
    const after = await client.getApp('/herd/codec');
    expect(after.versionInfo.lastConfigChangeAt > before.versionInfo.lastConfigChangeAt).toBe(true);
    const status = await spawnHerd(['status'], env);
    expect(status.code).toBe(EXIT.ok);
    const [header, , row] = status.stdout.split('\n');
    expect(header.split(/\s{2,}/)).toEqual([
      'APP',
      'INSTANCES',
      'HEALTH',
      'VERSION',
      'CPU',
      'MEM',
      'DEPLOYMENT',
    ]);
    expect(row.split(/\s{2,}/)).toEqual([
      '/herd/codec',
      '3 of 3',
      '3 healthy',
      `${codec.labels?.HERD_VERSION} (${after.version})`,
      '1',
      '512 MB',
      '-',
    ]);
  }, 240_000);

  it('rollback restores the previous configuration at the current instance count; --to an unknown version is exit 9', async () => {
    await deployed();
    expect(
      (await spawnHerd(['deploy', codecWith(`${GOOD_IMAGE}-next`, dir), ...FAST], env)).code,
    ).toBe(EXIT.ok);
    expect((await spawnHerd(['scale', '/herd/codec', '3', ...FAST], env)).code).toBe(EXIT.ok);
    const run = await spawnHerd(['rollback', '/herd/codec', ...FAST], env);
    expect(run.code).toBe(EXIT.ok);
    const app = await client.getApp('/herd/codec');
    expect(app.container?.docker.image).toBe(GOOD_IMAGE);
    expect(app).toMatchObject({ instances: 3, tasksHealthy: 3 });
    const unknown = await spawnHerd(
      ['rollback', '/herd/codec', '--to', '2001-01-01T00:00:00.000Z'],
      env,
    );
    expect(unknown.code).toBe(EXIT.notFound);
    expect(unknown.stderr).toContain('does not exist in version');
  }, 240_000);

  it('deploys the herd group app by app, each to healthy', async () => {
    // Every app the group holds: the example services, and any service generated since.
    const groupFile = join(ROOT, 'docker', 'marathon', 'herd-group.json');
    const group = JSON.parse(readFileSync(groupFile, 'utf8')) as { apps: MarathonApp[] };
    expect(group.apps.map((a) => a.id)).toEqual(
      expect.arrayContaining(['/herd/courseware', '/herd/codec']),
    );
    const run = await spawnHerd(['deploy', groupFile, ...FAST], env);
    expect(run.code).toBe(EXIT.ok);
    for (const { id, instances } of group.apps) {
      expect(run.stdout).toContain(`${id} created and healthy: ${instances} of ${instances}`);
    }
    expect(run.stdout).toContain(`group /herd deployed: ${group.apps.length} apps healthy`);
    const apps = await client.listApps();
    expect(apps.map((a) => [a.id, a.tasksHealthy])).toEqual(
      group.apps.map((a) => [a.id, a.instances]),
    );
  }, 240_000);

  it('an invalid definition is refused before sending, naming each path: exit 3', async () => {
    const file = join(dir, 'invalid.json');
    writeFileSync(
      file,
      JSON.stringify({ ...codec, networks: [{ mode: 'overlay' }], killSelection: 'Random' }),
    );
    const run = await spawnHerd(['deploy', file], env);
    expect(run.code).toBe(EXIT.invalidDefinition);
    expect(run.stderr).toContain('/networks(0)/mode');
    expect(run.stderr).toContain('/killSelection');
    expect(double.requests.filter((r) => r.method !== 'GET')).toEqual([]);
  }, 180_000);

  it("Marathon's own 422 keeps its details", async () => {
    await expect(
      client.updateApp('/herd/codec', { ...codec, instances: -1 }),
    ).rejects.toMatchObject({
      constructor: MarathonInvalidDefinitionError,
      source: 'marathon',
      details: [{ path: '/instances', errors: [expect.any(String)] }],
    });
  });

  it('usage, unreachable and unknown app each have their own exit code', async () => {
    expect((await spawnHerd(['status'])).code).toBe(EXIT.usage);
    expect((await spawnHerd(['scale', '/herd/codec', 'many'], env)).code).toBe(EXIT.usage);
    expect((await spawnHerd(['deploy', join(dir, 'missing.json')], env)).code).toBe(EXIT.usage);
    expect((await spawnHerd(['status', '/herd/nothing'], env)).code).toBe(EXIT.notFound);
    const closed = await freePort();
    const run = await spawnHerd(['status'], { MARATHON_URL: `http://127.0.0.1:${closed}` });
    expect(run.code).toBe(EXIT.unreachable);
    expect(run.stderr).toContain(`Marathon at http://127.0.0.1:${closed} did not answer`);
  }, 180_000);
});

describe('herd CLI --target swarm: refusals before the engine is asked anything', () => {
  // No engine answers here: each refusal comes first, and reaching the engine is exit 7.
  const nowhere = { DOCKER_HOST: `unix://${join(tmpdir(), 'herd-no-docker.sock')}` };

  it('an unknown target, an unknown member, a command without a swarm target are usage errors', async () => {
    const target = await spawnHerd(['status', '--target', 'mesos'], nowhere);
    expect(target).toMatchObject({ code: EXIT.usage });
    expect(target.stderr).toContain('--target must be one of marathon, swarm (got "mesos")');
    const member = await spawnHerd(['deploy', '--target', 'swarm', 'inventory'], nowhere);
    expect(member).toMatchObject({ code: EXIT.usage });
    expect(member.stderr).toContain(
      'no herd member inventory: the swarm target deploys courseware, codec',
    );
    const restart = await spawnHerd(['restart', '--target', 'swarm', 'herd_codec'], nowhere);
    expect(restart).toMatchObject({ code: EXIT.usage });
    expect(restart.stderr).toContain('herd restart has no swarm target');
  }, 120_000);

  it('no engine on the socket is exit 7, naming the socket', async () => {
    const run = await spawnHerd(['status', '--target', 'swarm'], nowhere);
    expect(run.code).toBe(EXIT.unreachable);
    expect(run.stderr).toContain(`nothing answers on ${join(tmpdir(), 'herd-no-docker.sock')}`);
  }, 60_000);
});

describe('herd CLI credentials', () => {
  const credentials = { username: 'ops', password: 's3cret-Pa55' };
  let double: MarathonDouble;
  let url: string;

  beforeAll(async () => {
    double = new MarathonDouble({ credentials });
    url = await double.start();
  });
  afterAll(() => double.stop());

  it('sends basic auth from env or flags, exits 8 when refused, and never prints the password', async () => {
    const refused = await spawnHerd(['status'], { MARATHON_URL: url });
    expect(refused.code).toBe(EXIT.unauthorized);
    const wrong = await spawnHerd(
      ['status', '--marathon-user', 'ops', '--marathon-password', 'nope'],
      {
        MARATHON_URL: url,
      },
    );
    expect(wrong.code).toBe(EXIT.unauthorized);
    const fromEnv = await spawnHerd(['status'], {
      MARATHON_URL: url,
      MARATHON_USER: credentials.username,
      MARATHON_PASSWORD: credentials.password,
    });
    expect(fromEnv.code).toBe(EXIT.ok);
    const inUrl = new URL(url);
    inUrl.username = credentials.username;
    inUrl.password = credentials.password;
    const fromUrl = await spawnHerd(
      ['deploy', CODEC_JSON, '--timeout', '0.5', '--poll-interval', '0.1'],
      {
        MARATHON_URL: inUrl.toString(),
      },
    );
    expect(fromUrl.stdout).toContain(`to ${url}`);
    const closed = await freePort();
    inUrl.port = String(closed);
    const unreachable = await spawnHerd(['status'], { MARATHON_URL: inUrl.toString() });
    expect(unreachable.code).toBe(EXIT.unreachable);
    for (const run of [refused, wrong, fromEnv, fromUrl, unreachable]) {
      expect(`${run.stdout}${run.stderr}`).not.toContain(credentials.password);
    }
    await eventually('the double saw the authenticated deploy', async () =>
      double.requests.some((r) => r.method === 'POST') ? true : undefined,
    );
  }, 180_000);
});

describe('herd definitions', () => {
  it('writes the generated definitions, and --check exits 3 while a file differs', async () => {
    const out = mkdtempSync(join(tmpdir(), 'herd-definitions-'));
    const stale = await spawnHerd(['definitions', '--check', '--out', out]);
    expect(stale.code).toBe(EXIT.invalidDefinition);
    expect(stale.stderr).toContain(join(out, 'codec.json'));
    expect((await spawnHerd(['definitions', '--out', out])).code).toBe(EXIT.ok);
    expect(readFileSync(join(out, 'codec.json'), 'utf8')).toBe(readFileSync(CODEC_JSON, 'utf8'));
    expect((await spawnHerd(['definitions', '--check', '--out', out])).code).toBe(EXIT.ok);
  }, 180_000);
});
