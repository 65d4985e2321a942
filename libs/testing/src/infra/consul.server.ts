import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { join } from 'node:path';
import { InfraStepError } from './infra-error';
import { CONSUL_LICENSE_MARKER, CONSUL_VERSION } from './infra.constants';
import { InfraPorts } from './infra.constants';
import { InfraPaths } from './infra-paths';
import { InfraContext, InfraServer, ServerProbe } from './infra-server';
import {
  isAlive,
  readPid,
  runLogged,
  spawnDaemon,
  stopPidFile,
  waitUntil,
  type StopOutcome,
} from './processes';
import { writeExecutable } from './tool-wrappers';

const CONSUL_MODULE = 'github.com/hashicorp/consul';

/**
 * Consul built from its module source on the Go module proxy, run as a single-node dev agent.
 *
 * `go install` refuses Consul because its go.mod replaces its nested modules (api, sdk, ...) with
 * local folders. We download the module, lay each nested module at the version go.mod requires
 * into the folder the replace names, and `go build` there: the upstream build, untouched.
 */
export class ConsulServer implements InfraServer {
  readonly name = 'consul';

  constructor(private readonly ports: InfraPorts) {}

  connectionString(): string {
    return `http://127.0.0.1:${this.ports.consulHttp}`;
  }

  logFile(paths: InfraPaths): string {
    return join(paths.stateDir, 'consul', 'consul.log');
  }

  binary(paths: InfraPaths): string {
    return join(paths.cacheDir, `consul-${CONSUL_VERSION}`, 'consul');
  }

  async probe(connection: string): Promise<ServerProbe> {
    const address = new URL(connection).host;
    try {
      const response = await fetch(new URL('/v1/agent/self', connection), {
        signal: AbortSignal.timeout(2000),
        headers: process.env.CONSUL_HTTP_TOKEN
          ? { 'X-Consul-Token': process.env.CONSUL_HTTP_TOKEN }
          : {},
      });
      if (!response.ok) return { healthy: false, address, detail: `HTTP ${response.status}` };
      const self = (await response.json()) as {
        Config: { Version: string; NodeName: string; Datacenter: string };
      };
      return {
        healthy: true,
        version: self.Config.Version,
        address,
        detail: `node ${self.Config.NodeName}, datacenter ${self.Config.Datacenter}`,
      };
    } catch (error) {
      return { healthy: false, address, detail: (error as Error).message };
    }
  }

  async start({ paths, progress }: InfraContext): Promise<void> {
    const binary = await this.ensureBinary(paths, progress);
    const dir = join(paths.stateDir, 'consul');
    mkdirSync(dir, { recursive: true });
    const logFile = this.logFile(paths);
    const pidFile = join(dir, 'consul.pid');
    const p = this.ports;
    progress('consul', `starting ${CONSUL_VERSION} dev agent on ${this.connectionString()}`);
    spawnDaemon(
      binary,
      [
        'agent',
        '-dev',
        '-bind',
        '127.0.0.1',
        '-client',
        '127.0.0.1',
        '-node',
        'herd-dev',
        '-http-port',
        String(p.consulHttp),
        '-dns-port',
        String(p.consulDns),
        '-grpc-port',
        String(p.consulGrpc),
        '-grpc-tls-port',
        String(p.consulGrpcTls),
        '-serf-lan-port',
        String(p.consulSerfLan),
        '-serf-wan-port',
        String(p.consulSerfWan),
        '-server-port',
        String(p.consulServer),
      ],
      { logFile, pidFile },
    );
    await waitUntil(
      async () => {
        const probe = await this.probe(this.connectionString());
        if (!probe.healthy) return undefined;
        const leader = await fetch(new URL('/v1/status/leader', this.connectionString()));
        return leader.ok && (await leader.json()) ? true : undefined;
      },
      {
        step: 'consul wait for leader',
        timeoutMs: 60_000,
        logFile,
        stillRunning: () => isAlive(readPid(pidFile)),
      },
    );
  }

  stop({ paths }: InfraContext): Promise<StopOutcome> {
    return stopPidFile(join(paths.stateDir, 'consul', 'consul.pid'), 10_000, this.binary(paths));
  }

  writeToolWrappers(paths: InfraPaths): void {
    writeExecutable(
      join(paths.binDir, 'consul'),
      `export CONSUL_HTTP_ADDR="\${CONSUL_HTTP_ADDR:-127.0.0.1:${this.ports.consulHttp}}"\nexec '${this.binary(paths)}' "$@"`,
    );
  }

  /** The Consul binary, built once into the cache; also what the local compose image is made of. */
  async ensureBinary(paths: InfraPaths, progress: InfraContext['progress']): Promise<string> {
    const binary = this.binary(paths);
    if (existsSync(binary)) return binary;
    const home = join(paths.cacheDir, `consul-${CONSUL_VERSION}`);
    const logFile = join(home, 'build.log');
    mkdirSync(home, { recursive: true });
    rmSync(logFile, { force: true });
    const goEnv = {
      ...process.env,
      GOFLAGS: '-mod=mod',
      // The checksum database does not know every nested consul module the proxy serves.
      GONOSUMDB: `${CONSUL_MODULE}`,
    };
    const download = (modulePath: string): string => {
      try {
        const out = execFileSync('go', ['mod', 'download', '-json', modulePath], {
          env: goEnv,
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        const info = JSON.parse(out) as { Dir?: string; Error?: string };
        if (!info.Dir) throw new Error(info.Error ?? 'no Dir in go mod download output');
        return info.Dir;
      } catch (error) {
        const output = (error as { stdout?: string }).stdout ?? '';
        throw new InfraStepError(
          'consul download module',
          `${modulePath}: ${output || (error as Error).message}`,
        );
      }
    };

    progress(
      'consul',
      `downloading ${CONSUL_MODULE}@v${CONSUL_VERSION} from the Go module proxy (first run only)`,
    );
    const moduleDir = download(`${CONSUL_MODULE}@v${CONSUL_VERSION}`);
    const license = readFileSync(join(moduleDir, 'LICENSE'), 'utf8');
    if (!license.includes(CONSUL_LICENSE_MARKER)) {
      throw new InfraStepError(
        'consul licence check',
        `LICENSE of v${CONSUL_VERSION} is not MPL-2.0; refusing to build it`,
      );
    }
    const source = join(home, 'src');
    rmSync(source, { recursive: true, force: true });
    cpSync(moduleDir, source, { recursive: true });
    execFileSync('chmod', ['-R', 'u+w', source]);

    const goMod = readFileSync(join(source, 'go.mod'), 'utf8');
    for (const [nestedModule, localDir] of localReplacements(goMod)) {
      const version = requiredVersion(goMod, nestedModule);
      progress('consul', `laying nested module ${nestedModule}@${version} at ./${localDir}`);
      const nestedDir = download(`${nestedModule}@${version}`);
      rmSync(join(source, localDir), { recursive: true, force: true });
      cpSync(nestedDir, join(source, localDir), { recursive: true });
    }
    execFileSync('chmod', ['-R', 'u+w', source]);

    progress(
      'consul',
      `building consul ${CONSUL_VERSION} with ${goVersion()} (about 5 minutes on 2 cores)`,
    );
    const built = join(home, 'consul.partial');
    await runLogged(
      'go',
      // -checklinkname=0: Consul 1.16's dependencies use //go:linkname in ways newer Go linkers reject.
      ['build', '-trimpath', '-ldflags', '-checklinkname=0 -s -w', '-o', built, '.'],
      { step: 'consul go build', logFile, cwd: source, env: goEnv, progress, heartbeatMs: 30_000 },
    );
    chmodSync(built, 0o755);
    renameSync(built, binary);
    rmSync(source, { recursive: true, force: true });
    progress('consul', `built ${binary}`);
    return binary;
  }
}

function localReplacements(goMod: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (const match of goMod.matchAll(/^\s*(?:replace\s+)?(\S+)\s+=>\s+\.\/(\S+)\s*$/gm)) {
    pairs.push([match[1] as string, match[2] as string]);
  }
  return pairs;
}

function requiredVersion(goMod: string, modulePath: string): string {
  const escaped = modulePath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`^\\s*(?:require\\s+)?${escaped}\\s+(v\\S+)`, 'm').exec(goMod);
  if (!match)
    throw new InfraStepError(
      'consul nested modules',
      `go.mod requires no version of ${modulePath}`,
    );
  return match[1] as string;
}

function goVersion(): string {
  try {
    return execFileSync('go', ['env', 'GOVERSION'], { encoding: 'utf8' }).trim();
  } catch {
    throw new InfraStepError(
      'consul build',
      "the `go` command is missing: install Go (https://go.dev) or Debian's golang package",
    );
  }
}
