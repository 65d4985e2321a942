import { ScalingTarget, TargetAppStatus } from './scaling-target';

/**
 * A target that only remembers counts: for unit tests and embedded runs, where nothing real
 * is scaled. A scale stays "in flight" until `settle(app)` is called, as a real rollout would.
 */
export class InMemoryScalingTarget implements ScalingTarget {
  readonly description = 'in-memory (nothing is really scaled)';
  readonly scaled: Array<{ app: string; instances: number }> = [];
  private readonly apps = new Map<string, { instances: number; inFlight: boolean }>();

  constructor(initial: Record<string, number> = {}) {
    for (const [app, instances] of Object.entries(initial))
      this.apps.set(app, { instances, inFlight: false });
  }

  async status(app: string): Promise<TargetAppStatus | undefined> {
    const state = this.apps.get(app);
    return state && { ...state };
  }

  async scaleTo(app: string, instances: number): Promise<void> {
    this.apps.set(app, { instances, inFlight: true });
    this.scaled.push({ app, instances });
  }

  /** The rollout of the last scale finished. */
  settle(app: string): void {
    const state = this.apps.get(app);
    if (state) state.inFlight = false;
  }
}
