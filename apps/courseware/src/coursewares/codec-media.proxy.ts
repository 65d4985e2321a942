import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream } from 'node:stream/web';
import { Injectable, ServiceUnavailableException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { RegistryService } from '@herd/registry';
import { CODEC_SERVICE, type Rendition } from '@herd/contracts';

/** Request headers a player sends that the codec's range support answers. */
const FORWARDED_REQUEST = ['range', 'if-range', 'if-none-match', 'if-modified-since'];
const FORWARDED_RESPONSE = [
  'content-type',
  'content-length',
  'content-range',
  'accept-ranges',
  'etag',
  'last-modified',
  'cache-control',
];

/**
 * Plays a rendition through courseware: the codec instance is found by name in the registry and
 * the request's range headers are passed on, so a browser seeks in it as if it were local. The
 * path comes from the codec's own reply, never from the request.
 */
@Injectable()
export class CodecMediaProxy {
  constructor(private readonly registry: RegistryService) {}

  async stream(rendition: Rendition, request: Request, response: Response): Promise<void> {
    const instances = await this.registry.resolve(CODEC_SERVICE).catch(() => []);
    const headers: Record<string, string> = {};
    for (const name of FORWARDED_REQUEST) {
      const value = request.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    for (const instance of instances) {
      const host = instance.address.includes(':') ? `[${instance.address}]` : instance.address;
      let upstream: globalThis.Response;
      try {
        upstream = await fetch(`http://${host}:${instance.port}${rendition.path}`, {
          headers,
          redirect: 'error',
        });
      } catch {
        continue;
      }
      if (upstream.status >= 500) continue;
      response.status(upstream.status);
      for (const name of FORWARDED_RESPONSE) {
        const value = upstream.headers.get(name);
        if (value !== null) response.setHeader(name, value);
      }
      if (!upstream.body) {
        response.end();
        return;
      }
      await pipeline(Readable.fromWeb(upstream.body as ReadableStream<Uint8Array>), response);
      return;
    }
    throw new ServiceUnavailableException('no codec instance can serve this rendition right now');
  }
}
