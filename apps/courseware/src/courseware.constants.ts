export const COURSEWARE_DEFAULT_PORT = 3000;

/** Environment keys of courseware's own settings (the herd-wide ones are @herd/service's). */
export const COURSEWARE_ENV = {
  /** Courseware's storage of originals (a folder today; an S3-style store could replace it). */
  storageDir: 'COURSEWARE_STORAGE_DIR',
  /** Uploads larger than this are answered 413 (bytes). */
  maxUploadBytes: 'COURSEWARE_MAX_UPLOAD_BYTES',
} as const;

export const COURSEWARE_DEFAULTS = {
  maxUploadBytes: 512 * 1024 * 1024,
  /** ffprobe reads headers and a few packets of an upload: it never needs long. */
  probeTimeoutMs: 30_000,
} as const;

export const COURSEWARE_OPTIONS = Symbol('herd:courseware:options');
