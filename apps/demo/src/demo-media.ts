import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { FfmpegMissingError, ffmpegVersion } from '@herd/media';
import { aptInstall } from '@herd/testing';

/**
 * ffmpeg and ffprobe on the PATH, or Debian's package installed the way `npm run infra` installs
 * PostgreSQL (as root with apt-get); otherwise the error says exactly what to install.
 */
export async function ensureFfmpeg(say: (line: string) => void, logDir: string): Promise<string> {
  try {
    return await ffmpegVersion();
  } catch (error) {
    if (!(error instanceof FfmpegMissingError) || process.getuid?.() !== 0) throw error;
    say("  ffmpeg is missing: installing Debian's ffmpeg package (apt-get) ...");
    await aptInstall(['ffmpeg'], join(logDir, 'apt.log'));
    return ffmpegVersion();
  }
}

/** The services' JSON logs go to a file, so the demo's own report stays readable. */
export function logFile(path: string): { write(line: string): boolean } {
  return createWriteStream(path, { flags: 'a' });
}
