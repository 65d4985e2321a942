/** What a scaling target says about one app. */
export interface TargetAppStatus {
  /** The count the target runs or is converging to. */
  readonly instances: number;
  /** A deployment, update or scale of the app has not finished yet. */
  readonly inFlight: boolean;
}

/**
 * The shepherd's port to whatever runs the herd (Swarm, Marathon): the three things an
 * autoscaler needs, so the rules never depend on one target's API.
 */
export interface ScalingTarget {
  /** Shown on the page and in decisions: `marathon http://…`, `swarm`, … (never credentials). */
  readonly description: string;
  /** undefined when the target has no such app. */
  status(app: string): Promise<TargetAppStatus | undefined>;
  scaleTo(app: string, instances: number): Promise<void>;
}
