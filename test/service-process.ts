import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { eventually } from '@herd/testing';

const ROOT = resolve(__dirname, '..');

/** One example service running as its own OS process, the way it runs in production. */
export class ServiceProcess {
  private output = '';

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
  }

  static start(app: 'courseware' | 'codec', env: NodeJS.ProcessEnv): ServiceProcess {
    const child = spawn(
      process.execPath,
      [
        '-r',
        'ts-node/register/transpile-only',
        '-r',
        'tsconfig-paths/register',
        `apps/${app}/src/main.ts`,
      ],
      {
        cwd: ROOT,
        env: { ...process.env, TS_NODE_PROJECT: 'tsconfig.scripts.json', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    return new ServiceProcess(app, child);
  }

  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /** Waits until the service answers 200 on /health/ready: booted, migrated, consuming. */
  async ready(port: number, timeoutMs = 90_000): Promise<void> {
    await eventually(
      `${this.name} ready on port ${port}`,
      async () =>
        (await fetch(`http://127.0.0.1:${port}/health/ready`)).status === 200 ? true : undefined,
      {
        timeoutMs,
        abortIf: () => (this.exited ? `${this.name} exited:\n${this.tail()}` : undefined),
        explain: () => this.tail(),
      },
    );
  }

  /**
   * Sends the signal and waits for the exit. Nest re-raises SIGTERM/SIGINT after its shutdown
   * hooks ran, so a graceful stop ends by that signal rather than with an exit code.
   */
  async stop(
    signal: NodeJS.Signals = 'SIGTERM',
  ): Promise<{ code: number | null; signal: string | null }> {
    if (!this.exited) {
      const exited = once(this.child, 'exit');
      this.child.kill(signal);
      await exited;
    }
    return { code: this.child.exitCode, signal: this.child.signalCode };
  }

  tail(lines = 30): string {
    return this.output.trimEnd().split('\n').slice(-lines).join('\n');
  }
}

/** A port nothing listens on right now, for a service started with PORT=<it>. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}
