import { setTimeout as sleep } from 'node:timers/promises';

export interface BlockingQueryOptions {
  waitMs: number;
  minIntervalMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
}

export type BlockingFetch<T> = (
  index: bigint,
  waitMs: number,
  signal: AbortSignal,
) => Promise<{ index: bigint; body: T }>;

export interface BlockingQueryListener<T> {
  /**
   * `recovered`: the first answer after failures or after the index went backwards (the agent
   * restarted): an agent that just came back may not know yet what it knew before.
   */
  onChange(body: T, index: bigint, recovered: boolean): void;
  onError?(error: unknown, consecutiveFailures: number): void;
}

/**
 * A long-poll loop over a Consul blocking endpoint that follows Consul's implementation notes:
 * the index is reset to 0 when it goes backwards (agent restarted, snapshot restored), an index
 * below 1 is treated as 1 so a buggy answer cannot turn the loop into a busy loop, queries are
 * rate-limited, errors back off exponentially with jitter, and the loop never ends on its own:
 * every failure, including a 400, is retried until `stop()`.
 */
export class BlockingQuery<T> {
  private index = 0n;
  private failures = 0;
  private readonly abort = new AbortController();
  private loop?: Promise<void>;
  private firstAnswer?: { promise: Promise<void>; resolve: () => void };
  lastSuccessAt?: number;
  lastErrorAt?: number;
  lastError?: string;

  constructor(
    private readonly fetch: BlockingFetch<T>,
    private readonly listener: BlockingQueryListener<T>,
    private readonly options: BlockingQueryOptions,
    private readonly random: () => number = Math.random,
  ) {}

  get currentIndex(): bigint {
    return this.index;
  }

  /** Starts the loop; the returned promise settles on the first successful answer. */
  start(): Promise<void> {
    if (!this.firstAnswer) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.firstAnswer = { promise, resolve };
      this.loop = this.run();
    }
    return this.firstAnswer.promise;
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  /** Delay before retry number `failures` (1-based): half fixed, half random, capped. */
  backoffMs(failures: number): number {
    const ceiling = Math.min(
      this.options.retryMaxMs,
      this.options.retryBaseMs * 2 ** Math.min(failures - 1, 30),
    );
    return Math.round(ceiling / 2 + (this.random() * ceiling) / 2);
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      const startedAt = Date.now();
      try {
        const answer = await this.fetch(this.index, this.options.waitMs, signal);
        if (signal.aborted) return;
        const recovered = this.failures > 0 || answer.index < this.index;
        this.failures = 0;
        this.lastSuccessAt = Date.now();
        this.lastError = undefined;
        this.lastErrorAt = undefined;
        const previous = this.index;
        this.index = nextIndex(previous, answer.index);
        if (previous === 0n || answer.index !== previous) {
          this.listener.onChange(answer.body, answer.index, recovered);
        }
        this.firstAnswer?.resolve();
        await this.pause(this.options.minIntervalMs - (Date.now() - startedAt), signal);
      } catch (error) {
        if (signal.aborted) return;
        this.failures += 1;
        this.lastErrorAt = Date.now();
        this.lastError = error instanceof Error ? error.message : String(error);
        try {
          this.listener.onError?.(error, this.failures);
        } catch {
          // A throwing listener must not kill the watch.
        }
        await this.pause(this.backoffMs(this.failures), signal);
      }
    }
  }

  private async pause(ms: number, signal: AbortSignal): Promise<void> {
    if (ms <= 0) return;
    await sleep(ms, undefined, { signal }).catch(() => undefined);
  }
}

/** Index to send next, per Consul's blocking-query implementation notes. */
export function nextIndex(previous: bigint, received: bigint): bigint {
  if (received < previous) return 0n;
  if (received < 1n) return 1n;
  return received;
}
