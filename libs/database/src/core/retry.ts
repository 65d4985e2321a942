import { errorCode, errorMessage } from './error-message';

const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  // cannot_connect_now (server starting up or shutting down), too_many_connections
  '57P03',
  '53300',
]);

/** Errors worth another connection attempt: the server is not (yet) there, not misconfigured. */
export function isTransientConnectError(error: unknown): boolean {
  const code = errorCode(error);
  if (code !== undefined && TRANSIENT_CODES.has(code)) return true;
  return /Connection terminated|timeout expired|connect ETIMEDOUT/i.test(errorMessage(error));
}

export interface RetryPolicy {
  readonly attempts: number;
  readonly delayMs: number;
  readonly onRetry?: (error: unknown, attempt: number) => void;
}

/** Runs `work` until it succeeds, a non-transient error occurs, or the attempts run out. */
export async function retryTransient<T>(
  policy: RetryPolicy,
  work: () => Promise<T>,
  giveUp: (error: unknown, attempts: number) => Error,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (!isTransientConnectError(error)) throw error;
      if (attempt >= policy.attempts) throw giveUp(error, attempt);
      policy.onRetry?.(error, attempt);
      await sleep(policy.delayMs);
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
