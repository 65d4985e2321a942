import { SagaPayloadInvalidError } from '../errors/saga-payload-invalid.error';

/**
 * Anything that turns unknown input into a typed value or throws: a zod schema fits as is,
 * `validatedBy()` adapts a plain predicate/validator function.
 */
export interface PayloadSchema<T> {
  parse(input: unknown): T;
}

/** Builds a schema from a function that returns the problems found (empty = valid). */
export function validatedBy<T>(check: (input: unknown) => string[]): PayloadSchema<T> {
  return {
    parse(input: unknown): T {
      const problems = check(input);
      if (problems.length > 0) throw new Error(problems.join('; '));
      return input as T;
    },
  };
}

export function parseWith<T>(
  schema: PayloadSchema<T> | undefined,
  input: unknown,
  subject: string,
): T {
  if (!schema) return input as T;
  try {
    return schema.parse(input);
  } catch (error) {
    throw new SagaPayloadInvalidError(subject, (error as Error).message);
  }
}
