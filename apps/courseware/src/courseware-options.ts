import { isAbsolute, join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { ServiceConfigError } from '@herd/service';
import { COURSEWARE_DEFAULTS, COURSEWARE_ENV } from './courseware.constants';

export interface CoursewareOptions {
  readonly storageDir: string;
  readonly maxUploadBytes: number;
}

/** Reads courseware's settings; a bad value fails the boot naming its key. */
export function loadCoursewareOptions(env: NodeJS.ProcessEnv = process.env): CoursewareOptions {
  const storageDir = env[COURSEWARE_ENV.storageDir] || join(tmpdir(), 'herd-courseware-originals');
  if (!isAbsolute(storageDir)) {
    throw new ServiceConfigError(
      COURSEWARE_ENV.storageDir,
      `must be an absolute path, got "${storageDir}"`,
    );
  }
  const raw = env[COURSEWARE_ENV.maxUploadBytes];
  const maxUploadBytes = raw ? Number(raw) : COURSEWARE_DEFAULTS.maxUploadBytes;
  if (!Number.isSafeInteger(maxUploadBytes) || maxUploadBytes <= 0) {
    throw new ServiceConfigError(
      COURSEWARE_ENV.maxUploadBytes,
      `must be a positive integer, got "${raw}"`,
    );
  }
  return { storageDir: resolve(storageDir), maxUploadBytes };
}
