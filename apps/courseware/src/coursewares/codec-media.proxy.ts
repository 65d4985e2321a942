import { pipeline } from 'node:stream/promises';
import { Injectable, ServiceUnavailableException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { InjectServiceClient, ServiceHttpClient, type ServiceStreamResponse } from '@herd/registry';
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
 * Plays a rendition through courseware: the codec is called by name (the client moves to another
 * instance until one answers below 500) and the request's range headers are passed on, so a
 * browser seeks in it as if it were local. The path comes from the codec's own reply, never from
 * the request.
 */
@Injectable()
export class CodecMediaProxy {
  constructor(@InjectServiceClient(CODEC_SERVICE) private readonly codec: ServiceHttpClient) {}

  async stream(rendition: Rendition, request: Request, response: Response): Promise<void> {
    const headers: Record<string, string> = {};
    for (const name of FORWARDED_REQUEST) {
      const value = request.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    let upstream: ServiceStreamResponse;
    try {
      upstream = await this.codec.stream(rendition.path, { headers });
    } catch {
      throw new ServiceUnavailableException('no codec instance can serve this rendition right now');
    }
    response.status(upstream.status);
    for (const name of FORWARDED_RESPONSE) {
      const value = upstream.headers[name];
      if (value !== undefined) response.setHeader(name, value);
    }
    // A player that leaves mid-body ends the pipeline, which destroys the codec's body too.
    await pipeline(upstream.body, response);
  }
}
