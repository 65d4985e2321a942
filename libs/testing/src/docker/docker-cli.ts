import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Runs `docker …` and returns stdout; undefined when the command fails (for probes). */
export async function dockerProbe(args: string[], timeoutMs = 10_000): Promise<string | undefined> {
  try {
    const { stdout } = await execFileAsync('docker', args, {
      timeout: timeoutMs,
      maxBuffer: 16 << 20,
    });
    return stdout.trim();
  } catch {
    return undefined;
  }
}

export async function imageExists(image: string): Promise<boolean> {
  return (await dockerProbe(['image', 'inspect', '--format', '{{.Id}}', image])) !== undefined;
}
