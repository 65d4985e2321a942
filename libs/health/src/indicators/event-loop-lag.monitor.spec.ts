import { setTimeout as sleep } from 'node:timers/promises';
import { EventLoopLagMonitor } from './event-loop-lag.monitor';

function blockFor(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // busy wait on purpose: this is the lag being measured
  }
}

async function waitFor(condition: () => boolean, deadlineMs: number): Promise<boolean> {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    if (condition()) return true;
    await sleep(5);
  }
  return condition();
}

describe('EventLoopLagMonitor', () => {
  it('reports the largest delay of the last window, then forgets it', async () => {
    // A window long enough that the poll below cannot miss the one that saw the block, however
    // late a loaded machine runs its timers.
    const monitor = new EventLoopLagMonitor(1_000);
    monitor.start();
    try {
      expect(monitor.lagMs()).toBe(0);
      await sleep(50);
      blockFor(300);
      expect(await waitFor(() => monitor.lagMs() >= 250, 3_000)).toBe(true);
      expect(await waitFor(() => monitor.lagMs() < 250, 3_000)).toBe(true);
    } finally {
      monitor.stop();
    }
  });
});
