import type { ValueTransformer } from 'typeorm';

/**
 * `bigint` columns (epoch milliseconds, outbox ids) come back from pg as strings; they fit a JS
 * number exactly below 2^53.
 */
export const bigintNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value === null ? null : Number(value)),
};
