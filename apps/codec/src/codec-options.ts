import { isAbsolute, join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { ServiceConfigError } from '@herd/service';
import { CODEC_DEFAULTS, CODEC_ENV } from './codec.constants';

export interface CodecOptions {
  readonly mediaDir: string;
  readonly maxSourceBytes: number;
  readonly ffmpegTimeoutMs: number;
  readonly jobLeaseMs: number;
  readonly jobPollMs: number;
  /** Owner name written into job leases: the service instance id. */
  readonly workerId: string;
}

/** Reads the codec's settings; a bad value fails the boot naming its key. */
export function loadCodecOptions(
  workerId: string,
  env: NodeJS.ProcessEnv = process.env,
): CodecOptions {
  const mediaDir = env[CODEC_ENV.mediaDir] || join(tmpdir(), 'herd-codec-media');
  if (env[CODEC_ENV.mediaDir] && !isAbsolute(mediaDir)) {
    throw new ServiceConfigError(CODEC_ENV.mediaDir, `must be an absolute path, got "${mediaDir}"`);
  }
  return {
    mediaDir: resolve(mediaDir),
    maxSourceBytes: positiveInteger(env, CODEC_ENV.maxSourceBytes, CODEC_DEFAULTS.maxSourceBytes),
    ffmpegTimeoutMs: positiveInteger(
      env,
      CODEC_ENV.ffmpegTimeoutMs,
      CODEC_DEFAULTS.ffmpegTimeoutMs,
    ),
    jobLeaseMs: positiveInteger(env, CODEC_ENV.jobLeaseMs, CODEC_DEFAULTS.jobLeaseMs),
    jobPollMs: positiveInteger(env, CODEC_ENV.jobPollMs, CODEC_DEFAULTS.jobPollMs),
    workerId,
  };
}

export function positiveInteger(env: NodeJS.ProcessEnv, key: string, fallback: number): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new ServiceConfigError(key, `must be a positive integer, got "${raw}"`);
  }
  return value;
}
