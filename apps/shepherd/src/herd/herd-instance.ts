/** One registered instance of a herd member, whatever its health. */
export interface HerdInstance {
  readonly id: string;
  readonly service: string;
  readonly version: string;
  readonly address: string;
  readonly port: number;
  /** Consul's aggregate of the instance's checks: the worst one wins. */
  readonly health: 'passing' | 'warning' | 'critical';
  readonly tags: readonly string[];
}

/** Where the shepherd learns who is in the herd. */
export interface HerdDirectory {
  /** Where it reads from, for the page (never a token). */
  readonly description: string;
  /** Every service and every instance, passing or not. */
  instances(): Promise<HerdInstance[]>;
}
