import { spawn } from 'node:child_process';
import { FfmpegAbortedError } from './errors/ffmpeg-aborted.error';
import { FfmpegError } from './errors/ffmpeg.error';
import { FfmpegMissingError } from './errors/ffmpeg-missing.error';
import { FfmpegTimeoutError } from './errors/ffmpeg-timeout.error';

export type MediaTool = 'ffmpeg' | 'ffprobe';

export interface MediaToolRunOptions {
  /** The process is SIGKILLed after this long. */
  readonly timeoutMs: number;
  /** Aborting kills the process too (a lost lease, a shutdown). */
  readonly signal?: AbortSignal;
  /** ffmpeg only: called with the output time reached, in seconds, as it progresses. */
  readonly onProgress?: (seconds: number) => void;
}

/** Output and error text kept per run: enough for ffprobe's JSON and ffmpeg's last words. */
const MAX_CAPTURED_BYTES = 1 << 20;

/**
 * Runs ffmpeg or ffprobe without a shell, with a time limit, and turns a failure into an
 * `FfmpegError` carrying its last error lines. ffmpeg reports progress on a pipe (`-progress
 * pipe:1`), which also ends it with SIGPIPE if this process dies, so a crashed worker leaves no
 * encoder running.
 */
export function runMediaTool(
  tool: MediaTool,
  args: readonly string[],
  options: MediaToolRunOptions,
): Promise<string> {
  const fullArgs =
    tool === 'ffmpeg'
      ? ['-hide_banner', '-nostdin', '-nostats', '-v', 'error', '-progress', 'pipe:1', ...args]
      : args;
  return new Promise((resolve, reject) => {
    const child = spawn(tool, fullArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let partial = '';
    let failure: Error | undefined;
    const kill = (error: Error) => {
      failure ??= error;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(
      () => kill(new FfmpegTimeoutError(tool, options.timeoutMs)),
      options.timeoutMs,
    );
    const onAbort = () => kill(new FfmpegAbortedError(tool));
    if (options.signal?.aborted) onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (chunk: Buffer) => {
      if (tool === 'ffprobe') {
        if (stdout.length < MAX_CAPTURED_BYTES) stdout += chunk.toString();
        return;
      }
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        const match = /^out_time_us=(\d+)/.exec(line);
        if (match) options.onProgress?.(Number(match[1]) / 1e6);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-MAX_CAPTURED_BYTES);
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      failure ??= error.code === 'ENOENT' ? new FfmpegMissingError(tool) : error;
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      if (failure) return reject(failure);
      if (code === 0) return resolve(stdout);
      reject(new FfmpegError(tool, lastWords(stderr) || `exited with code ${code}`));
    });
  });
}

/**
 * ffmpeg's own words, short: its most frequent error line (the one that describes the input),
 * then its last (how it ended), without `[decoder @ 0x…]` prefixes or file paths.
 */
export function lastWords(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((line) =>
      line
        .replace(/^\[[^\]]*@ 0x[\da-f]+\]\s*/, '')
        .replace(/(?:file:)?\/[^\s:]*: /g, '')
        .trim(),
    )
    .filter((line) => line && !/^Last message repeated/.test(line));
  const counts = new Map<string, number>();
  for (const line of lines) counts.set(line, (counts.get(line) ?? 0) + 1);
  const frequent = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  const last = lines[lines.length - 1];
  return [...new Set([frequent, last].filter(Boolean))].join('; ').slice(0, 500);
}

/** The first line of `ffmpeg -version`; throws `FfmpegMissingError` when it is not installed. */
export async function ffmpegVersion(tool: MediaTool = 'ffmpeg'): Promise<string> {
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn(tool, ['-version'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.on('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'ENOENT' ? new FfmpegMissingError(tool) : error),
    );
    child.on('close', (code) =>
      code === 0 ? resolve(text) : reject(new FfmpegError(tool, `-version exited with ${code}`)),
    );
  });
  return out.split('\n')[0] ?? '';
}
