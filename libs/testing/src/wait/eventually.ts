import { setTimeout as sleep } from 'node:timers/promises';

export interface EventuallyOptions {
  /** Default 60000 ms. */
  readonly timeoutMs?: number;
  /** Default 200 ms. */
  readonly intervalMs?: number;
  /** Extra context for the timeout error, e.g. the last lines of a process's log. */
  readonly explain?: () => string | Promise<string>;
  /** Stops waiting at once when the thing waited on can no longer happen (a process died). */
  readonly abortIf?: () => string | undefined | Promise<string | undefined>;
}

/**
 * Polls `probe` until it returns something other than undefined: how a test waits for a
 * distributed system to converge without fixed sleeps. A probe that throws counts as "not yet".
 */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  options: EventuallyOptions = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    const aborted = await options.abortIf?.();
    if (aborted) throw new Error(`${what}: cannot happen any more: ${aborted}`);
    if (Date.now() > deadline) {
      const context = options.explain ? `\n${await options.explain()}` : '';
      throw new Error(
        `${what}: did not happen within ${(options.timeoutMs ?? 60_000) / 1000} s${context}`,
      );
    }
    await sleep(options.intervalMs ?? 200);
  }
}
