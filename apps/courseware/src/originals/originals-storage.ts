import { OnModuleInit } from '@nestjs/common';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

const UUID = /^[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}$/i;

/**
 * Courseware's originals, one file per courseware named by its id (never by anything a caller
 * sent), and `incoming/` where uploads land before they are checked. A folder today: the three
 * operations are what an S3-style store would implement.
 */
export class OriginalsStorage implements OnModuleInit {
  readonly incoming: string;
  private readonly originals: string;

  constructor(readonly root: string) {
    this.incoming = join(root, 'incoming');
    this.originals = join(root, 'originals');
  }

  async onModuleInit(): Promise<void> {
    await mkdir(this.incoming, { recursive: true });
    await mkdir(this.originals, { recursive: true });
  }

  /** The folder and the file name, for `sendFile(name, { root })`. */
  locate(coursewareId: string): { root: string; name: string } {
    return { root: this.originals, name: checked(coursewareId) };
  }

  /** Moves a checked upload in place of the courseware's original. */
  async keep(uploaded: string, coursewareId: string): Promise<void> {
    await rename(uploaded, join(this.originals, checked(coursewareId)));
  }

  async remove(coursewareId: string): Promise<void> {
    await rm(join(this.originals, checked(coursewareId)), { force: true });
  }
}

function checked(coursewareId: string): string {
  if (!UUID.test(coursewareId)) throw new Error(`not a courseware id: "${coursewareId}"`);
  return coursewareId;
}
