import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export interface InfraPaths {
  /** Per-checkout state: data directories, pid files, logs, the env file. Ignored by git. */
  readonly stateDir: string;
  /** Downloads and builds shared by every checkout on the machine. */
  readonly cacheDir: string;
  /** Wrappers for the servers' own CLIs (consul, kafka-consumer-groups, kafka-topics, psql). */
  readonly binDir: string;
  readonly envFile: string;
}

export function resolveInfraPaths(env: NodeJS.ProcessEnv = process.env): InfraPaths {
  const stateDir = resolve(env.HERD_STATE_DIR ?? join(process.cwd(), '.herd'));
  const cacheDir = resolve(
    env.HERD_CACHE_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'herd'),
  );
  return {
    stateDir,
    cacheDir,
    binDir: join(stateDir, 'bin'),
    envFile: join(stateDir, 'infra.env'),
  };
}
