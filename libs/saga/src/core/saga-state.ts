export const SAGA_STATES = [
  'RUNNING',
  'COMPENSATING',
  'COMPLETED',
  'COMPENSATED',
  'FAILED',
] as const;

/**
 * RUNNING → COMPLETED on the happy path; RUNNING → COMPENSATING → COMPENSATED when a step fails
 * or times out; FAILED when a compensation itself failed (parked for an operator).
 */
export type SagaState = (typeof SAGA_STATES)[number];

export const TERMINAL_SAGA_STATES: readonly SagaState[] = ['COMPLETED', 'COMPENSATED', 'FAILED'];
