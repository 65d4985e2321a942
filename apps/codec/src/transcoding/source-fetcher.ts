import { createWriteStream } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream } from 'node:stream/web';
import { Injectable } from '@nestjs/common';
import { RegistryService, type ServiceInstance } from '@herd/registry';
import { COURSEWARE_SERVICE, coursewareSourcePath } from '@herd/contracts';
import { SourceMediaError } from '../errors/source-media.error';
import { SourceUnavailableError } from '../errors/source-unavailable.error';

/** No bytes for this long on the connection: the download is given up (and retried later). */
const IDLE_TIMEOUT_MS = 30_000;

/**
 * Downloads a courseware's original to a local file. The courseware service is found by name in
 * the registry (codec's configuration holds no address), the URL is built from the id alone, and
 * the body streams to disk through a byte counter that stops at `maxBytes`.
 */
@Injectable()
export class SourceFetcher {
  constructor(private readonly registry: RegistryService) {}

  async fetch(
    coursewareId: string,
    destination: string,
    maxBytes: number,
    signal: AbortSignal,
  ): Promise<void> {
    const instances = await this.registry.resolve(COURSEWARE_SERVICE).catch((error: Error) => {
      throw new SourceUnavailableError(`no courseware instance to fetch from: ${error.message}`);
    });
    const failures: string[] = [];
    // Any instance serves any original (courseware's storage is its own, shared by its instances).
    for (const instance of shuffled(instances)) {
      try {
        return await this.download(instance, coursewareId, destination, maxBytes, signal);
      } catch (error) {
        if (!(error instanceof SourceUnavailableError)) throw error;
        failures.push(`${instance.id}: ${error.message}`);
      }
    }
    throw new SourceUnavailableError(`could not fetch the original (${failures.join('; ')})`);
  }

  private async download(
    instance: ServiceInstance,
    coursewareId: string,
    destination: string,
    maxBytes: number,
    signal: AbortSignal,
  ): Promise<void> {
    const host = instance.address.includes(':') ? `[${instance.address}]` : instance.address;
    const url = `http://${host}:${instance.port}${coursewareSourcePath(coursewareId)}`;
    let response: Response;
    try {
      response = await fetch(url, { signal, redirect: 'error' });
    } catch (error) {
      throw new SourceUnavailableError((error as Error).message);
    }
    if (response.status === 404) {
      throw new SourceMediaError('courseware has no original for this courseware');
    }
    if (!response.ok || !response.body) {
      throw new SourceUnavailableError(`courseware answered HTTP ${response.status}`);
    }
    const declared = Number(response.headers.get('content-length') ?? NaN);
    if (declared > maxBytes) {
      await response.body.cancel();
      throw tooLarge(maxBytes);
    }
    let received = 0;
    let idle: NodeJS.Timeout | undefined;
    const body = Readable.fromWeb(response.body as ReadableStream<Uint8Array>);
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

function shuffled<T>(items: readonly T[]): T[] {
  return [...items].sort(() => Math.random() - 0.5);
}
