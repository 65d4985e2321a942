import { Controller, Get, NotFoundException, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { uuidParam } from '@herd/service';
import { MediaStorage } from './media-storage';
import { RENDITION_FILES } from './rendition-recipes';

/**
 * Serves published renditions with range requests (Express's `sendFile`: `Accept-Ranges`, 206,
 * `Content-Range`, ETag), so a browser can seek in them. Only a job id and one of the known file
 * names select a file: no other path can be named.
 */
@Controller('renditions')
export class RenditionsController {
  constructor(private readonly storage: MediaStorage) {}

  @Get(':jobId/:file')
  serve(
    @Param('jobId', uuidParam('jobId')) jobId: string,
    @Param('file') file: string,
    @Res() response: Response,
  ): Promise<void> {
    const recipe = RENDITION_FILES.get(file);
    if (!recipe) {
      throw new NotFoundException(
        `no rendition file "${file}" (one of ${[...RENDITION_FILES.keys()].join(', ')})`,
      );
    }
    response.setHeader('Content-Type', recipe.mimeType);
    return new Promise((resolve) =>
      response.sendFile(
        recipe.file,
        {
          root: this.storage.renditionsOf(jobId),
          dotfiles: 'deny',
          headers: { 'Cache-Control': 'public, max-age=31536000, immutable' },
        },
        (error) => {
          if (error && !response.headersSent) {
            response.removeHeader('Content-Type');
            response.status(404).json({
              statusCode: 404,
              error: 'Not Found',
              message: `job ${jobId} has no published ${recipe.name}`,
            });
          }
          resolve();
        },
      ),
    );
  }
}
