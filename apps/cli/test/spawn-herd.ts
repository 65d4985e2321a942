import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..', '..');
const HERD = join(ROOT, 'apps', 'cli', 'bin', 'herd.js');

export interface HerdRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `herd …` in its own process from the repository root, as a CI job runs it: PATH and HOME only. */
export function spawnHerd(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<HerdRun> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [HERD, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', fail);
    child.once('close', (code) => done({ code, stdout, stderr }));
  });
}
