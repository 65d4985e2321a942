import type { ValueTransformer } from 'typeorm';

/** `bigint` columns come back from pg as strings; epoch milliseconds fit a JS number safely. */
export const epochMs: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value === null ? null : Number(value)),
};
