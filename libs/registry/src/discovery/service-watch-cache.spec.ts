import { Logger } from '@nestjs/common';
import { eventually } from '@herd/testing';
import { ServiceInstance } from '../interfaces/service-instance.interface';
import { ServiceWatchCache } from './service-watch-cache';

type Answer = { index: bigint; body: ServiceInstance[] } | Error;

const sheep = (id: string): ServiceInstance => ({
  id,
  name: 'sheep',
  address: '127.0.0.1',
  port: 1,
  version: '1.0.0',
  tags: [],
  meta: {},
});

/** A Consul stand-in answering from a script the test feeds; blocks like a long poll when empty. */
function scriptedAgent() {
  const answers: Answer[] = [];
  let wake: (() => void) | undefined;
  const fetch = async (_index: bigint, _wait: number, signal: AbortSignal) => {
    while (answers.length === 0) {
      await new Promise<void>((resolve, reject) => {
        wake = resolve;
        signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
      });
    }
    const next = answers.shift() as Answer;
    if (next instanceof Error) throw next;
    return next;
  };
  const answer = (next: Answer) => {
    answers.push(next);
    wake?.();
  };
  return { fetch, answer, pending: () => answers.length };
}

const timings = { waitMs: 1000, minIntervalMs: 0, retryBaseMs: 1, retryMaxMs: 2 };
const ids = async (cache: ServiceWatchCache) =>
  (await cache.resolve('sheep').catch(() => [])).map((i) => i.id);

describe('ServiceWatchCache', () => {
  let cache: ServiceWatchCache | undefined;
  let warnings: jest.SpyInstance;
  beforeEach(() => {
    warnings = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(async () => {
    warnings.mockRestore();
    await cache?.close();
  });

  it('after an outage, holds an empty answer back for the hold time unless instances return', async () => {
    const agent = scriptedAgent();
    cache = new ServiceWatchCache(() => agent.fetch, timings, 1000, 60_000);
    agent.answer({ index: 10n, body: [sheep('a'), sheep('b')] });
    expect(await ids(cache)).toEqual(['a', 'b']);

    // The agent crashes and comes back empty (lower index): the cached set keeps being served.
    agent.answer(new Error('connect ECONNREFUSED'));
    agent.answer({ index: 2n, body: [] });
    await eventually('the empty answer to be read', async () =>
      agent.pending() === 0 ? true : undefined,
    );
    expect(await ids(cache)).toEqual(['a', 'b']);
    expect(warnings).toHaveBeenCalledWith(expect.stringMatching(/came back empty after an outage/));
    agent.answer({ index: 3n, body: [] });
    await eventually('the second empty answer to be read', async () =>
      agent.pending() === 0 ? true : undefined,
    );
    expect(await ids(cache)).toEqual(['a', 'b']);

    // One instance registers again: that is the truth now.
    agent.answer({ index: 4n, body: [sheep('b')] });
    await eventually('the re-registered instance to replace the held set', async () =>
      (await ids(cache as ServiceWatchCache)).join() === 'b' ? true : undefined,
    );
  });

  it('accepts a held empty answer once the hold time is over', async () => {
    const agent = scriptedAgent();
    cache = new ServiceWatchCache(() => agent.fetch, timings, 1000, 300);
    agent.answer({ index: 10n, body: [sheep('a')] });
    expect(await ids(cache)).toEqual(['a']);
    agent.answer(new Error('connect ECONNREFUSED'));
    agent.answer({ index: 11n, body: [] });
    await eventually('the held empty answer to be accepted after 300 ms', async () =>
      (await ids(cache as ServiceWatchCache)).length === 0 ? true : undefined,
    );
    await expect(cache.resolve('sheep')).rejects.toMatchObject({ name: 'NoHealthyInstanceError' });
  });

  it('applies an empty answer at once when there was no outage', async () => {
    const agent = scriptedAgent();
    cache = new ServiceWatchCache(() => agent.fetch, timings, 1000, 60_000);
    agent.answer({ index: 10n, body: [sheep('a')] });
    expect(await ids(cache)).toEqual(['a']);
    agent.answer({ index: 11n, body: [] });
    await eventually(
      'the last instance gone',
      async () => ((await ids(cache as ServiceWatchCache)).length === 0 ? true : undefined),
      { timeoutMs: 5000 },
    );
  });
});
