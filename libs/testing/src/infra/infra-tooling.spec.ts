import { ChildProcess, spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentProgress } from './progress';
import { DEFAULT_INFRA_PORTS, EPHEMERAL_PORT_START, CONSUL_VERSION } from './infra.constants';
import { infraDown, resolveInfraPorts } from './infra';
import { withInfraLock } from './infra-lock';
import { resolveInfraPaths } from './infra-paths';
import { InfraStepError } from './infra-error';
import { commandLineOf, isAlive, spawnDaemon, stopPidFile } from './processes';
import { eventually } from '../wait/eventually';

/** A harmless long-running process whose command line carries `marker`, like a server's would. */
async function idle(marker: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', marker], {
    stdio: 'ignore',
  });
  await eventually('the process to run its own command line', async () =>
    commandLineOf(child.pid as number).includes(marker) ? true : undefined,
  );
  return child;
}

async function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise((resolve) => child.once('exit', resolve));
}

describe('infra ports', () => {
  const ports = Object.values(DEFAULT_INFRA_PORTS);

  it('sit below the ephemeral range, for every offset another checkout may use (0..50)', () => {
    for (const offset of [0, 10, 50]) {
      const shifted = Object.values(resolveInfraPorts({ HERD_INFRA_PORT_OFFSET: String(offset) }));
      expect(Math.max(...shifted)).toBeLessThan(EPHEMERAL_PORT_START);
    }
    expect(() => resolveInfraPorts({ HERD_INFRA_PORT_OFFSET: '5000' })).toThrow(
      /HERD_INFRA_PORT_OFFSET must be an integer from 0 to \d+/,
    );
  });

  it('are spaced at least 60 apart, so checkouts shifted by 0..59 never share one', () => {
    const sorted = [...ports].sort((a, b) => a - b);
    const gaps = sorted.slice(1).map((port, i) => port - (sorted[i] as number));
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(60);
  });
});

describe('pid files', () => {
  let dir: string;
  const children: ChildProcess[] = [];
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'herd-pid-'))));
  afterEach(async () => {
    for (const child of children.splice(0)) {
      child.kill('SIGKILL');
      await exited(child);
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('stops the process it started', async () => {
    const pidFile = join(dir, 'server.pid');
    const marker = join(dir, 'server.conf');
    const pid = spawnDaemon(process.execPath, ['-e', 'setInterval(() => {}, 1000)', marker], {
      logFile: join(dir, 'server.log'),
      pidFile,
    });
    expect(await stopPidFile(pidFile, 5000, marker)).toBe('stopped');
    expect(isAlive(pid)).toBe(false);
    expect(existsSync(pidFile)).toBe(false);
  });

  it('never signals a process that took the recorded pid over (other identity, or not our command)', async () => {
    const marker = join(dir, 'server.conf');
    const stranger = await idle(marker);
    children.push(stranger);
    const reused = join(dir, 'reused.pid');
    writeFileSync(reused, `${stranger.pid}\nanother-boot/12345\n`);
    expect(await stopPidFile(reused, 5000, marker)).toBe('not ours');

    const other = await idle('/usr/bin/someone-else');
    children.push(other);
    const legacy = join(dir, 'legacy.pid');
    writeFileSync(legacy, `${other.pid}\n`);
    expect(await stopPidFile(legacy, 5000, marker)).toBe('not ours');

    expect(isAlive(stranger.pid)).toBe(true);
    expect(isAlive(other.pid)).toBe(true);
    expect(existsSync(reused)).toBe(false);
  });

  it('reports a pid file of a dead process as not running', async () => {
    const gone = await idle('x');
    gone.kill('SIGKILL');
    await exited(gone);
    const pidFile = join(dir, 'gone.pid');
    writeFileSync(pidFile, `${gone.pid}\n`);
    expect(await stopPidFile(pidFile, 5000, 'x')).toBe('not running');
  });
});

describe('infra lock', () => {
  let stateDir: string;
  beforeEach(() => (stateDir = mkdtempSync(join(tmpdir(), 'herd-lock-'))));
  afterEach(() => rmSync(stateDir, { recursive: true, force: true }));

  it('runs two concurrent holders one after the other', async () => {
    const paths = resolveInfraPaths({ HERD_STATE_DIR: stateDir });
    const events: string[] = [];
    const hold = (name: string) =>
      withInfraLock(paths, { progress: silentProgress }, async () => {
        events.push(`${name} in`);
        await new Promise((resolve) => setImmediate(resolve));
        await new Promise((resolve) => setTimeout(resolve, 50));
        events.push(`${name} out`);
      });
    await Promise.all([hold('a'), hold('b')]);
    expect(events).toEqual(['a in', 'a out', 'b in', 'b out']);
    expect(existsSync(join(stateDir, 'infra.lock'))).toBe(false);
  });

  it('takes over the lock of a holder that died', async () => {
    const paths = resolveInfraPaths({ HERD_STATE_DIR: stateDir });
    const dead = await idle('x');
    dead.kill('SIGKILL');
    await exited(dead);
    writeFileSync(join(stateDir, 'infra.lock'), `${dead.pid}\n\n`);
    await expect(
      withInfraLock(paths, { progress: silentProgress, timeoutMs: 2000 }, async () => 'ran'),
    ).resolves.toBe('ran');
  });
});

describe('infra down', () => {
  it('tries every server, reports each, and names the one that failed', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'herd-down-'));
    const cacheDir = mkdtempSync(join(tmpdir(), 'herd-cache-'));
    // Reachable by the `postgres` user, so the cluster is looked for under the state dir.
    chmodSync(stateDir, 0o755);
    const env = { HERD_STATE_DIR: stateDir, HERD_CACHE_DIR: cacheDir };
    const children: ChildProcess[] = [];
    try {
      // A "postmaster" of our data directory that pg_ctl cannot stop: not a real cluster.
      const dataDir = join(stateDir, 'postgres', 'data');
      mkdirSync(dataDir, { recursive: true });
      const postmaster = await idle(dataDir);
      children.push(postmaster);
      writeFileSync(join(dataDir, 'postmaster.pid'), `${postmaster.pid}\n${dataDir}\n`);
      // A "consul" started by us: its command line names the cached binary.
      mkdirSync(join(stateDir, 'consul'), { recursive: true });
      const consulBinary = join(cacheDir, `consul-${CONSUL_VERSION}`, 'consul');
      const consulPid = spawnDaemon(
        process.execPath,
        ['-e', 'setInterval(() => {}, 1000)', consulBinary],
        {
          logFile: join(stateDir, 'consul', 'consul.log'),
          pidFile: join(stateDir, 'consul', 'consul.pid'),
        },
      );
      writeFileSync(
        join(stateDir, 'infra.env'),
        'HERD_POSTGRES_URL=postgres://x\nHERD_CONSUL_URL=http://127.0.0.1:1\n',
      );
      const progress: string[] = [];
      const error = await infraDown({
        env,
        progress: (step, message) => progress.push(`${step}: ${message}`),
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InfraStepError);
      expect((error as Error).message).toMatch(/postgres: infra step "postgres stop" failed/);
      expect(isAlive(consulPid)).toBe(false);
      expect(progress).toEqual([
        expect.stringMatching(/^postgres: failed: /),
        'kafka: not running',
        'consul: stopped',
        'docker: not running',
      ]);
      // The stopped server's line goes; the one still running stays.
      expect(readFileSync(join(stateDir, 'infra.env'), 'utf8')).toMatch(
        /^HERD_POSTGRES_URL=postgres:\/\/x$/m,
      );
      expect(readFileSync(join(stateDir, 'infra.env'), 'utf8')).not.toContain('HERD_CONSUL_URL');
    } finally {
      for (const child of children) child.kill('SIGKILL');
      await Promise.all(children.map(exited));
      rmSync(stateDir, { recursive: true, force: true });
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });
});
