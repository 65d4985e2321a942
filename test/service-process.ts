import { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { eventually, herdInfraEnv, spawnTypeScript } from '@herd/testing';

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

  static start(app: 'courseware' | 'codec' | 'shepherd', env: NodeJS.ProcessEnv): ServiceProcess {
    return new ServiceProcess(app, spawnTypeScript(`apps/${app}/src/main.ts`, { env }));
  }

  /** The OS process id, to find its children (an ffmpeg it runs) or SIGKILL it. */
  get pid(): number {
    return this.child.pid as number;
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

/** What every service process of a cross-service suite gets: the real servers, on 127.0.0.1. */
export function serversEnv(infra = herdInfraEnv()): NodeJS.ProcessEnv {
  return {
    HERD_POSTGRES_URL: infra.postgresUrl,
    HERD_KAFKA_BROKERS: infra.kafkaBrokers.join(','),
    HERD_CONSUL_URL: infra.consulUrl,
    HOST: '127.0.0.1',
  };
}

/** The last lines of each process, for a wait that fails. */
export function tails(processes: readonly ServiceProcess[], lines = 15): string {
  return processes.map((p) => `${p.name}:\n${p.tail(lines)}`).join('\n');
}
