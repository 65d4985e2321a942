import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CONSUL_VERSION } from '@herd/testing';
import { eventually } from './consul-helpers';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * A private Consul dev agent on its own ports, for tests that kill and restart the agent; the
 * shared agent is never touched. Restarting keeps the ports, and like any dev agent it comes
 * back empty, which is exactly the "agent lost the registrations" case.
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
    const binary = join(homedir(), '.cache', 'herd', `consul-${CONSUL_VERSION}`, 'consul');
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
    await eventually('the private Consul agent to elect itself', 30_000, async () => {
      const response = await fetch(new URL('/v1/status/leader', this.url), {
        signal: AbortSignal.timeout(1000),
      });
      return response.ok && (await response.text()).length > 2;
    });
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
