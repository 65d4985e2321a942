import { InfraPaths } from './infra-paths';
import { ProgressReporter } from './progress';
import type { StopOutcome } from './processes';

export type InfraServerName = 'postgres' | 'kafka' | 'consul';

export interface ServerProbe {
  readonly healthy: boolean;
  readonly version?: string;
  readonly address: string;
  readonly detail?: string;
}

export interface InfraContext {
  readonly paths: InfraPaths;
  readonly progress: ProgressReporter;
}

/** One real server Herd can provision, start, probe and stop on this machine. */
export interface InfraServer {
  readonly name: InfraServerName;
  /** The connection string this server is reached at once it runs. */
  connectionString(): string;
  /** Checks a running server over a real connection. Never throws. */
  probe(connection: string): Promise<ServerProbe>;
  /** Installs or builds what is missing (cached), prepares state and starts the server. */
  start(context: InfraContext): Promise<void>;
  /** Stops the server only if this checkout started it and the recorded process is still it. */
  stop(context: InfraContext): Promise<StopOutcome>;
  /** Marks a server this checkout runs as Herd's own (reused ones too), if the server needs it. */
  claim?(connection: string): Promise<void>;
  logFile(paths: InfraPaths): string;
  /** Wrapper scripts for the server's own command-line tools. */
  writeToolWrappers(paths: InfraPaths): void;
}
