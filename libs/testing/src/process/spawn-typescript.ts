import { ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';

const REPO_ROOT = resolve(__dirname, '..', '..', '..', '..');

export interface SpawnTypeScriptOptions {
  readonly args?: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  /** Default: the repository root, where the `@herd/*` paths resolve. */
  readonly cwd?: string;
}

/**
 * Runs a TypeScript entry point in its own Node process (ts-node, transpile only, with the
 * `@herd/*` path aliases), so a test can signal or SIGKILL it like a real deployment.
 */
export function spawnTypeScript(entry: string, options: SpawnTypeScriptOptions = {}): ChildProcess {
  const cwd = options.cwd ?? REPO_ROOT;
  return spawn(
    process.execPath,
    [
      '-r',
      'ts-node/register/transpile-only',
      '-r',
      'tsconfig-paths/register',
      entry,
      ...(options.args ?? []),
    ],
    {
      cwd,
      env: { ...process.env, TS_NODE_PROJECT: resolve(REPO_ROOT, 'tsconfig.json'), ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
}
