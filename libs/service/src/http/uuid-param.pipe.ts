import { BadRequestException, ParseUUIDPipe } from '@nestjs/common';

/** A path parameter that must be a UUID: 400 with the same `violations` shape as bodies. */
export function uuidParam(field: string): ParseUUIDPipe {
  return new ParseUUIDPipe({
    exceptionFactory: () =>
      new BadRequestException({
        statusCode: 400,
        error: 'Bad Request',
        message: 'invalid request parameter',
        violations: [{ field, reason: `${field} must be a UUID` }],
      }),
  });
}
