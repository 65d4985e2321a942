import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../network/free-port';
import { eventually } from '../wait/eventually';
import { CONSUL_VERSION } from './infra.constants';
import { resolveInfraPaths } from './infra-paths';

/**
 * A private Consul dev agent on its own ports, for tests that kill and restart the agent; the
 * shared agent is never touched. Restarting keeps the ports, and like any dev agent it comes
 * back empty, which is exactly the "agent lost the registrations" case. Needs the binary
 * `npm run infra -- up consul` builds into the cache.
 */
export class ConsulDevAgent {
  private process?: ChildProcess;

  /** `extraArgs` go after the standard flags, e.g. `-hcl=acl { ... }`. */
  constructor(private readonly extraArgs: string[] = []) {}
  private ports?: { http: number; serfLan: number; serfWan: number; server: number };

  get url(): string {
    if (!this.ports) throw new Error('agent not started');
    return `http://127.0.0.1:${this.ports.http}`;
  }

  async start(): Promise<void> {
    this.ports ??= {
      http: await freePort(),
      serfLan: await freePort(),
      serfWan: await freePort(),
      server: await freePort(),
    };
    const binary = join(resolveInfraPaths().cacheDir, `consul-${CONSUL_VERSION}`, 'consul');
    const p = this.ports;
    this.process = spawn(
      binary,
      [
        'agent',
        '-dev',
        '-bind=127.0.0.1',
        '-client=127.0.0.1',
        `-http-port=${p.http}`,
        '-dns-port=-1',
        '-grpc-port=-1',
        '-grpc-tls-port=-1',
        `-serf-lan-port=${p.serfLan}`,
        `-serf-wan-port=${p.serfWan}`,
        `-server-port=${p.server}`,
        `-node=herd-registry-test-${p.http}`,
        '-log-level=warn',
        ...this.extraArgs,
      ],
      { stdio: 'ignore' },
    );
    const child = this.process;
    await eventually(
      'the private Consul agent to elect itself',
      async () => {
        const response = await fetch(new URL('/v1/status/leader', this.url), {
          signal: AbortSignal.timeout(1000),
        });
        return response.ok && (await response.text()).length > 2 ? true : undefined;
      },
      {
        timeoutMs: 30_000,
        abortIf: () =>
          child.exitCode !== null ? `consul exited with ${child.exitCode}` : undefined,
      },
    );
  }

  /** SIGKILL: the agent vanishes without a goodbye, as in a crash. */
  async kill(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
}
