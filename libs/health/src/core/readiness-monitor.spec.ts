import { HealthIndicatorService } from '@nestjs/terminus';
import { setTimeout as sleep } from 'node:timers/promises';
import { ReadinessMonitor } from './readiness-monitor';

const indicators = new HealthIndicatorService();

describe('ReadinessMonitor', () => {
  it('runs checks in the background, keeps the latest result and reports transitions', async () => {
    let up = true;
    let runs = 0;
    const transitions: string[] = [];
    const monitor = new ReadinessMonitor(
      () => [
        {
          name: 'pasture',
          check: async () => {
            runs += 1;
            return up ? indicators.check('pasture').up() : indicators.check('pasture').down();
          },
        },
      ],
      {
        intervalMs: 20,
        timeoutMs: 100,
        onResult: (result, previous) => {
          if (result.status !== previous?.status) transitions.push(result.status);
        },
      },
    );
    monitor.start();
    try {
      expect((await monitor.current()).status).toBe('ok');
      up = false;
      const until = Date.now() + 2_000;
      while ((await monitor.current()).status === 'ok' && Date.now() < until) await sleep(5);
      expect((await monitor.current()).error).toEqual({ pasture: { status: 'down' } });
      expect(transitions).toEqual(['ok', 'error']);
      expect(runs).toBeGreaterThan(1);
    } finally {
      monitor.stop();
    }
    const after = runs;
    await sleep(60);
    expect(runs).toBe(after);
  });

  it('never overlaps a slow check with the next one', async () => {
    let active = 0;
    let maxActive = 0;
    const monitor = new ReadinessMonitor(
      () => [
        {
          name: 'slow',
          check: async () => {
            active += 1;
            maxActive = Math.max(maxActive, active);
            await sleep(30);
            active -= 1;
            return indicators.check('slow').up();
          },
        },
      ],
      { intervalMs: 5, timeoutMs: 1_000 },
    );
    monitor.start();
    await Promise.all([monitor.current(), monitor.runOnce(), monitor.runOnce()]);
    await sleep(100);
    monitor.stop();
    expect(maxActive).toBe(1);
  });
});
