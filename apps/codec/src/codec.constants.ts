export { CODEC_SERVICE } from '@herd/contracts';
export const CODEC_DEFAULT_PORT = 3001;

/** Environment keys of the codec's own settings (the herd-wide ones are @herd/service's). */
export const CODEC_ENV = {
  /** Codec's storage: renditions, and work folders. Shared by the codec's instances. */
  mediaDir: 'CODEC_MEDIA_DIR',
  /** An original larger than this is refused while it downloads (bytes). */
  maxSourceBytes: 'CODEC_MAX_SOURCE_BYTES',
  /** One ffmpeg run is killed after this long (ms). */
  ffmpegTimeoutMs: 'CODEC_FFMPEG_TIMEOUT_MS',
  /** A job's lease: another instance takes it up this long after its worker stopped renewing. */
  jobLeaseMs: 'CODEC_JOB_LEASE_MS',
  /** How often an idle worker looks for claimable jobs (ms). */
  jobPollMs: 'CODEC_JOB_POLL_MS',
} as const;

export const CODEC_DEFAULTS = {
  maxSourceBytes: 512 * 1024 * 1024,
  ffmpegTimeoutMs: 10 * 60_000,
  jobLeaseMs: 15_000,
  jobPollMs: 500,
  /** Claims of one job before it fails for good (crash loops, a source that kills the worker). */
  maxAttempts: 5,
  /**
   * A job released after a transient failure (courseware restarting, a dropped download) waits
   * this long before it is claimable again, doubled at each attempt: 2 + 4 + 8 + 16 s, so a
   * courseware that is gone for half a minute does not fail the saga.
   */
  retryDelayMs: 2_000,
} as const;

/** Injection token of the validated CodecOptions. */
export const CODEC_OPTIONS = Symbol('herd:codec:options');

/** What codec serves on /metrics beside every Herd service's metrics. */
export const CODEC_METRICS = {
  /**
   * Jobs not done yet, by `state` (`queued`: PENDING, `running`: RUNNING), in the jobs table every
   * instance shares: each instance serves the same figures (the shepherd takes their max).
   */
  transcodeJobs: 'herd_codec_transcode_jobs',
} as const;
