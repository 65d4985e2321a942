/** How far a consumer group is behind on its topics. */
export interface ConsumerLagSource {
  /** Summed over every partition of the topics; undefined when the broker cannot be read. */
  groupLag(group: string, topics: readonly string[]): Promise<number | undefined>;
  /** Why the last read failed, if it did. */
  readonly lastError?: string;
  close(): Promise<void>;
}
