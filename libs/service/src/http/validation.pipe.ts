import { BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';

export interface FieldViolation {
  /** Dotted path of the offending field, e.g. `source.format`. */
  readonly field: string;
  readonly reason: string;
}

/**
 * Invalid bodies become 400 `{ statusCode, error, message, violations: [{ field, reason }] }`:
 * every bad field named, unknown fields refused, nothing half-applied.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) =>
      new BadRequestException({
        statusCode: 400,
        error: 'Bad Request',
        message: 'invalid request body',
        violations: flatten(errors),
      }),
  });
}

function flatten(errors: readonly ValidationError[], prefix = ''): FieldViolation[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((reason) => ({ field, reason }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}
