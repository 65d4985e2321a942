import { InFlightTracker } from './in-flight-tracker';

describe('InFlightTracker', () => {
  it('resolves whenIdle once the last request leaves, counting each leave once', async () => {
    const tracker = new InFlightTracker();
    const a = tracker.enter();
    const b = tracker.enter();
    const idle = tracker.whenIdle(5_000);
    a();
    a();
    expect(tracker.inFlight).toBe(1);
    b();
    await expect(idle).resolves.toBe(true);
    await expect(tracker.whenIdle(1)).resolves.toBe(true);
  });

  it('gives up at the deadline when requests are still in flight', async () => {
    const tracker = new InFlightTracker();
    const leave = tracker.enter();
    await expect(tracker.whenIdle(20)).resolves.toBe(false);
    leave();
    expect(tracker.inFlight).toBe(0);
  });
});
