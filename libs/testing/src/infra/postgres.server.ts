import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { InfraStepError } from './infra-error';
import { POSTGRES_DATABASE, POSTGRES_PASSWORD, POSTGRES_SUPERUSER } from './infra.constants';
import { InfraPorts } from './infra.constants';
import { InfraPaths } from './infra-paths';
import { InfraContext, InfraServer, ServerProbe } from './infra-server';
import { aptInstall } from './apt';
import { commandLineOf, isAlive, readPid, runLogged, type StopOutcome } from './processes';
import { writeExecutable } from './tool-wrappers';
import { claimHerdCluster } from './test-databases';

const POSTGRES_LIB_DIR = '/usr/lib/postgresql';

/**
 * Debian's PostgreSQL in a cluster of our own (initdb + pg_ctl) under the state directory.
 * PostgreSQL refuses to run as root, so as root every server command runs as the `postgres` user.
 */
export class PostgresServer implements InfraServer {
  readonly name = 'postgres';

  constructor(private readonly ports: InfraPorts) {}

  connectionString(): string {
    return `postgres://${POSTGRES_SUPERUSER}:${POSTGRES_PASSWORD}@127.0.0.1:${this.ports.postgres}/${POSTGRES_DATABASE}`;
  }

  /** Written by the server itself, so it must not be created by root first. */
  logFile(paths: InfraPaths): string {
    return join(this.clusterDir(paths), 'server.log');
  }

  private controlLog(paths: InfraPaths): string {
    return join(this.clusterDir(paths), 'pg_ctl.log');
  }

  async probe(connection: string): Promise<ServerProbe> {
    const url = new URL(connection);
    const address = `${url.hostname}:${url.port || 5432}`;
    const client = new Client({ connectionString: connection, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      const { rows } = await client.query<{ version: string }>(
        "SELECT current_setting('server_version') AS version",
      );
      return { healthy: true, version: rows[0]?.version, address };
    } catch (error) {
      return { healthy: false, address, detail: (error as Error).message };
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  /** Tests may drop any database of this throwaway cluster, never of a server given to Herd. */
  async claim(connection: string): Promise<void> {
    const client = new Client({ connectionString: connection, connectionTimeoutMillis: 5000 });
    try {
      await client.connect();
      await claimHerdCluster(client);
    } catch (error) {
      throw new InfraStepError('postgres claim', (error as Error).message);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  async start({ paths, progress }: InfraContext): Promise<void> {
    const bin = await this.ensureInstalled(paths, progress);
    const dir = this.clusterDir(paths);
    const dataDir = join(dir, 'data');
    const socketDir = join(dir, 'run');
    const logFile = this.controlLog(paths);
    mkdirSync(socketDir, { recursive: true });
    const owner = this.serverOwner();
    if (owner) this.chownTree(dir, owner);
    this.assertServerUserCanReach(dir);

    if (!existsSync(join(dataDir, 'PG_VERSION'))) {
      progress('postgres', `initdb into ${dataDir}`);
      const passwordFile = join(dir, 'superuser-password');
      writeFileSync(passwordFile, `${POSTGRES_PASSWORD}\n`, { mode: 0o600 });
      if (owner) chownSync(passwordFile, owner.uid, owner.gid);
      await this.runAsServerUser(
        join(bin, 'initdb'),
        [
          '-D',
          dataDir,
          '-U',
          POSTGRES_SUPERUSER,
          `--pwfile=${passwordFile}`,
          '--auth=scram-sha-256',
          '-E',
          'UTF8',
          '--locale=C',
        ],
        { step: 'postgres initdb', logFile },
      );
    }
    progress('postgres', `starting on 127.0.0.1:${this.ports.postgres}`);
    // A throwaway development cluster: durability settings off buy test speed, nothing else.
    const serverOptions = [
      `-p ${this.ports.postgres}`,
      `-k ${socketDir}`,
      '-c listen_addresses=127.0.0.1',
      '-c max_connections=400',
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
    ].join(' ');
    await this.runAsServerUser(
      join(bin, 'pg_ctl'),
      ['-D', dataDir, '-l', this.logFile(paths), '-w', '-t', '60', '-o', serverOptions, 'start'],
      { step: 'postgres start', logFile },
    );
    await this.ensureDatabase(socketDir, logFile);
  }

  async stop({ paths }: InfraContext): Promise<StopOutcome> {
    const dataDir = join(this.clusterDir(paths), 'data');
    const postmasterPid = join(dataDir, 'postmaster.pid');
    // postmaster.pid names the pid first and the data directory second; pg_ctl would signal that
    // pid whatever runs under it now: only a process whose command line names our cluster is ours.
    const pid = readPid(postmasterPid);
    if (!isAlive(pid)) return 'not running';
    if (!commandLineOf(pid as number).includes(dataDir)) return 'not ours';
    const bin = this.findBinDir();
    if (!bin) return 'not running';
    await this.runAsServerUser(join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'fast', '-w', 'stop'], {
      step: 'postgres stop',
      logFile: this.controlLog(paths),
    });
    return 'stopped';
  }

  writeToolWrappers(paths: InfraPaths): void {
    writeExecutable(
      join(paths.binDir, 'herd-psql'),
      `exec psql "\${HERD_POSTGRES_URL:-${this.connectionString()}}" "$@"`,
    );
  }

  private async ensureDatabase(socketDir: string, logFile: string): Promise<void> {
    const client = new Client({
      host: socketDir,
      port: this.ports.postgres,
      user: POSTGRES_SUPERUSER,
      password: POSTGRES_PASSWORD,
      database: 'postgres',
    });
    try {
      await client.connect();
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [
        POSTGRES_DATABASE,
      ]);
      if (!rowCount) await client.query(`CREATE DATABASE ${POSTGRES_DATABASE}`);
    } catch (error) {
      throw new InfraStepError('postgres create database', (error as Error).message, logFile);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  private async ensureInstalled(
    paths: InfraPaths,
    progress: InfraContext['progress'],
  ): Promise<string> {
    const existing = this.findBinDir();
    if (existing) return existing;
    if (process.getuid?.() !== 0) {
      throw new InfraStepError(
        'postgres install',
        "PostgreSQL's server is not installed: run `sudo apt-get install -y postgresql` and retry",
      );
    }
    progress('postgres', "installing Debian's postgresql package (apt-get)");
    await aptInstall(['postgresql'], join(paths.stateDir, 'apt.log'));
    const installed = this.findBinDir();
    if (!installed)
      throw new InfraStepError('postgres install', `no initdb under ${POSTGRES_LIB_DIR}`);
    return installed;
  }

  private findBinDir(): string | undefined {
    if (!existsSync(POSTGRES_LIB_DIR)) return undefined;
    const versions = readdirSync(POSTGRES_LIB_DIR)
      .filter((entry) => existsSync(join(POSTGRES_LIB_DIR, entry, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    return versions[0] ? join(POSTGRES_LIB_DIR, versions[0], 'bin') : undefined;
  }

  private serverOwner(): { uid: number; gid: number } | undefined {
    if (process.getuid?.() !== 0) return undefined;
    const [uid, gid] = ['-u', '-g'].map((flag) =>
      Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim()),
    );
    return { uid: uid as number, gid: gid as number };
  }

  private chownTree(dir: string, owner: { uid: number; gid: number }): void {
    execFileSync('chown', ['-R', `${owner.uid}:${owner.gid}`, dir]);
  }

  /**
   * The cluster lives under the state directory, unless we are root and the `postgres` user cannot
   * reach it (a checkout inside a private folder): then in a folder of its own under /var/tmp,
   * named after the state directory so `down` finds the same one.
   */
  private clusterDir(paths: InfraPaths): string {
    const preferred = join(paths.stateDir, 'postgres');
    if (process.getuid?.() !== 0 || this.serverUserCan('-x', paths.stateDir)) return preferred;
    const key = createHash('sha256').update(paths.stateDir).digest('hex').slice(0, 12);
    return join('/var/tmp', `herd-postgres-${key}`);
  }

  private serverUserCan(test: '-x' | '-w', path: string): boolean {
    try {
      execFileSync('runuser', ['-u', 'postgres', '--', 'test', test, path], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  }

  private assertServerUserCanReach(dir: string): void {
    if (process.getuid?.() !== 0 || this.serverUserCan('-w', dir)) return;
    throw new InfraStepError(
      'postgres prepare',
      `the postgres user cannot write ${dir}: make its parent folders traversable (chmod o+x) or set HERD_STATE_DIR to a folder it can reach`,
    );
  }

  private runAsServerUser(
    command: string,
    args: string[],
    options: { step: string; logFile: string },
  ): Promise<void> {
    if (process.getuid?.() === 0) {
      return runLogged('runuser', ['-u', 'postgres', '--', command, ...args], options);
    }
    return runLogged(command, args, options);
  }
}
