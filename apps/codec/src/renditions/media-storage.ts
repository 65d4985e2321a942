import { OnModuleInit } from '@nestjs/common';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

const UUID = /^[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}$/i;

/**
 * Codec's own storage (one folder, shared by its instances): `renditions/<job id>/` holds the one
 * published set of a job; `work/<job id>-<attempt>/` an attempt in progress. A set appears by one
 * rename, so a reader never sees half of one. Only job ids (UUIDs the codec made) name folders.
 */
export class MediaStorage implements OnModuleInit {
  constructor(readonly root: string) {}

  async onModuleInit(): Promise<void> {
    await mkdir(join(this.root, 'renditions'), { recursive: true });
    await mkdir(join(this.root, 'work'), { recursive: true });
  }

  renditionsOf(jobId: string): string {
    return join(this.root, 'renditions', checked(jobId));
  }

  /** A fresh folder for one attempt; folders of earlier attempts (a crashed worker's) go. */
  async startAttempt(jobId: string, attempt: number): Promise<string> {
    await this.clearAttempts(jobId);
    const folder = join(this.root, 'work', `${checked(jobId)}-${attempt}`);
    await mkdir(folder, { recursive: true });
    return folder;
  }

  async clearAttempts(jobId: string): Promise<void> {
    const prefix = `${checked(jobId)}-`;
    const work = join(this.root, 'work');
    for (const entry of await readdir(work)) {
      if (entry.startsWith(prefix)) await rm(join(work, entry), { recursive: true, force: true });
    }
  }

  /** Makes `folder` the job's published set, replacing one a crash left half-committed. */
  async publish(jobId: string, folder: string): Promise<void> {
    const target = this.renditionsOf(jobId);
    await rm(target, { recursive: true, force: true });
    await rename(folder, target);
  }

  /** Idempotent: discarding what is already gone is fine. */
  async discard(jobId: string): Promise<void> {
    await rm(this.renditionsOf(jobId), { recursive: true, force: true });
    await this.clearAttempts(jobId);
  }
}

function checked(jobId: string): string {
  if (!UUID.test(jobId)) throw new Error(`not a job id: "${jobId}"`);
  return jobId;
}
