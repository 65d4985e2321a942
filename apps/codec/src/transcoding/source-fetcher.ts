import { createWriteStream } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Injectable } from '@nestjs/common';
import { InjectServiceClient, ServiceHttpClient } from '@herd/registry';
import { COURSEWARE_SERVICE, coursewareSourcePath } from '@herd/contracts';
import { SourceMediaError } from '../errors/source-media.error';
import { SourceUnavailableError } from '../errors/source-unavailable.error';

/** No bytes for this long on the connection: the download is given up (and retried later). */
const IDLE_TIMEOUT_MS = 30_000;

/**
 * Downloads a courseware's original to a local file. The courseware service is called by name
 * (codec's configuration holds no address; any instance serves any original, and the client moves
 * to another one until a head arrives), the URL is built from the id alone, and the body streams
 * to disk through a byte counter that stops at `maxBytes`.
 */
@Injectable()
export class SourceFetcher {
  constructor(
    @InjectServiceClient(COURSEWARE_SERVICE) private readonly courseware: ServiceHttpClient,
  ) {}

  async fetch(
    coursewareId: string,
    destination: string,
    maxBytes: number,
    signal: AbortSignal,
  ): Promise<void> {
    const response = await this.courseware
      .stream(coursewareSourcePath(coursewareId), { signal })
      .catch((error: Error) => {
        if (signal.aborted) throw error;
        throw new SourceUnavailableError(`could not fetch the original: ${error.message}`);
      });
    const { body } = response;
    if (response.status === 404) {
      body.destroy();
      throw new SourceMediaError('courseware has no original for this courseware');
    }
    if (response.status < 200 || response.status >= 300) {
      body.destroy();
      throw new SourceUnavailableError(`courseware answered HTTP ${response.status}`);
    }
    if (Number(response.headers['content-length'] ?? NaN) > maxBytes) {
      body.destroy();
      throw tooLarge(maxBytes);
    }
    let received = 0;
    let idle: NodeJS.Timeout | undefined;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        received += chunk.length;
        clearTimeout(idle);
        idle = setTimeout(
          () => body.destroy(new SourceUnavailableError('download stalled')),
          IDLE_TIMEOUT_MS,
        );
        done(received > maxBytes ? tooLarge(maxBytes) : null, chunk);
      },
    });
    try {
      await pipeline(body, counter, createWriteStream(destination));
    } catch (error) {
      if (error instanceof SourceMediaError || error instanceof SourceUnavailableError) throw error;
      if (signal.aborted) throw error;
      throw new SourceUnavailableError(`download failed: ${(error as Error).message}`);
    } finally {
      clearTimeout(idle);
    }
  }
}

function tooLarge(maxBytes: number): SourceMediaError {
  return new SourceMediaError(`the original is larger than the codec accepts (${maxBytes} bytes)`);
}
