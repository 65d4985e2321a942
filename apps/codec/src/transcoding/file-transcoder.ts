import { createHash } from 'node:crypto';
import { OnModuleInit } from '@nestjs/common';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Rendition, RenditionTarget, TranscodeCommand } from '@herd/contracts';
import { SourceMediaError } from './source-media.error';

const EXTENSIONS: Record<RenditionTarget, string> = {
  'mp3-128k': 'mp3',
  'mp4-720p': 'mp4',
  'mp4-360p': 'mp4',
  hls: 'm3u8',
  thumbnail: 'jpg',
};

/**
 * Packages a source into one file per rendition under the media folder. It does no real encoding
 * (no codec library ships with the image): each rendition holds a header naming its target and
 * the source bytes, enough to prove the saga's effects and their compensation end to end.
 */
export class FileTranscoder implements OnModuleInit {
  constructor(private readonly mediaDir: string) {}

  /** The media folder exists before readiness checks its disk. */
  async onModuleInit(): Promise<void> {
    await mkdir(this.mediaDir, { recursive: true });
  }

  async transcode(command: TranscodeCommand): Promise<Rendition[]> {
    const source = await this.readSource(command.source.uri);
    const folder = this.folderOf(command.coursewareId);
    await mkdir(folder, { recursive: true });
    const renditions: Rendition[] = [];
    for (const target of command.targets) {
      const body = Buffer.concat([Buffer.from(`herd-rendition ${target}\n`), source]);
      const file = join(folder, `${target}.${EXTENSIONS[target]}`);
      await writeFile(file, body);
      renditions.push({
        target,
        uri: pathToFileURL(file).href,
        bytes: body.length,
        sha256: createHash('sha256').update(body).digest('hex'),
      });
    }
    return renditions;
  }

  /** Idempotent: discarding what is already gone is fine. */
  async discard(coursewareId: string): Promise<void> {
    await rm(this.folderOf(coursewareId), { recursive: true, force: true });
  }

  private folderOf(coursewareId: string): string {
    if (!/^[\w-]+$/.test(coursewareId))
      throw new SourceMediaError(`bad courseware id "${coursewareId}"`);
    return join(this.mediaDir, coursewareId);
  }

  private async readSource(uri: string): Promise<Buffer> {
    if (!uri.startsWith('file:'))
      throw new SourceMediaError(`only file: sources are supported, got "${uri}"`);
    try {
      return await readFile(fileURLToPath(uri));
    } catch (error) {
      throw new SourceMediaError(
        `cannot read source ${uri}: ${(error as NodeJS.ErrnoException).code ?? error}`,
      );
    }
  }
}
