import { BlockingQuery, nextIndex } from './blocking-query';

type Answer = { index: bigint; body: string } | Error;

function scripted(answers: Answer[]) {
  const indexesSent: bigint[] = [];
  const fetch = async (index: bigint, _waitMs: number, signal: AbortSignal) => {
    indexesSent.push(index);
    const next = answers.shift();
    // Out of script: block like a real long poll until the query is stopped.
    if (!next)
      return new Promise<never>((_, reject) =>
        signal.addEventListener('abort', () => reject(new Error('aborted'))),
      );
    if (next instanceof Error) throw next;
    return next;
  };
  return { fetch, indexesSent };
}

const fast = { waitMs: 1000, minIntervalMs: 0, retryBaseMs: 1, retryMaxMs: 4 };

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i += 1) await new Promise((r) => setTimeout(r, 5));
  if (!condition()) throw new Error('condition not reached');
}

describe('nextIndex (Consul blocking-query rules)', () => {
  it('follows a growing index', () => expect(nextIndex(5n, 9n)).toBe(9n));
  it('resets to 0 when the index goes backwards', () => expect(nextIndex(9n, 3n)).toBe(0n));
  it('never sends an index below 1 after an answer, to avoid a busy loop', () =>
    expect(nextIndex(0n, 0n)).toBe(1n));
});

describe('BlockingQuery', () => {
  it('sends the last index back, reports changes only, and resets after the index went backwards', async () => {
    const { fetch, indexesSent } = scripted([
      { index: 10n, body: 'a' },
      { index: 10n, body: 'a' },
      { index: 12n, body: 'b' },
      { index: 4n, body: 'restarted' },
      { index: 5n, body: 'c' },
    ]);
    const changes: string[] = [];
    const query = new BlockingQuery(fetch, { onChange: (body) => changes.push(body) }, fast);
    await query.start();
    await until(() => indexesSent.length === 6);
    await query.stop();
    expect(indexesSent).toEqual([0n, 10n, 10n, 12n, 0n, 5n]);
    expect(changes).toEqual(['a', 'b', 'restarted', 'c']);
  });

  it('keeps going after any error, including a 400, and backs off between attempts', async () => {
    const badRequest = Object.assign(new Error('bad request'), { statusCode: 400 });
    const { fetch, indexesSent } = scripted([
      badRequest,
      new Error('refused'),
      { index: 7n, body: 'ok' },
    ]);
    const failures: number[] = [];
    const query = new BlockingQuery(
      fetch,
      { onChange: () => undefined, onError: (_e, n) => failures.push(n) },
      fast,
    );
    await query.start();
    expect(failures).toEqual([1, 2]);
    expect(query.lastSuccessAt).toBeDefined();
    expect(query.lastError).toBeUndefined();
    await query.stop();
    expect(indexesSent.slice(0, 3)).toEqual([0n, 0n, 0n]);
  });

  it('survives a listener that throws', async () => {
    const { fetch } = scripted([new Error('x'), { index: 2n, body: 'ok' }]);
    const query = new BlockingQuery(
      fetch,
      {
        onChange: () => undefined,
        onError: () => {
          throw new Error('listener bug');
        },
      },
      fast,
    );
    await expect(query.start()).resolves.toBeUndefined();
    await query.stop();
  });

  it('jitters its backoff between half and all of an exponentially growing, capped delay', () => {
    const options = { waitMs: 1000, minIntervalMs: 0, retryBaseMs: 100, retryMaxMs: 1000 };
    const low = new BlockingQuery(
      scripted([]).fetch,
      { onChange: () => undefined },
      options,
      () => 0,
    );
    const high = new BlockingQuery(
      scripted([]).fetch,
      { onChange: () => undefined },
      options,
      () => 1,
    );
    expect([1, 2, 3, 5, 50].map((n) => low.backoffMs(n))).toEqual([50, 100, 200, 500, 500]);
    expect([1, 2, 3, 5, 50].map((n) => high.backoffMs(n))).toEqual([100, 200, 400, 1000, 1000]);
  });

  it('rate-limits successive queries to minIntervalMs', async () => {
    const answers = Array.from({ length: 50 }, (_, i) => ({
      index: BigInt(i + 1),
      body: String(i),
    }));
    const { fetch, indexesSent } = scripted(answers);
    const query = new BlockingQuery(
      fetch,
      { onChange: () => undefined },
      { ...fast, minIntervalMs: 50 },
    );
    await query.start();
    await new Promise((r) => setTimeout(r, 220));
    await query.stop();
    expect(indexesSent.length).toBeGreaterThanOrEqual(3);
    expect(indexesSent.length).toBeLessThanOrEqual(6);
  });
});
