import { Admin, Kafka, logLevel } from 'kafkajs';
import { ConsumerLagSource } from './consumer-lag.source';

/**
 * A group's lag read from Kafka itself with the admin API: for every partition of its topics,
 * the latest offset minus the group's committed offset (the low mark when it committed nothing,
 * as a consumer starting from the beginning would read it). Partitions no member holds count
 * too: that is work nobody is doing.
 */
export class KafkaConsumerLagSource implements ConsumerLagSource {
  private readonly admin: Admin;
  private connected?: Promise<void>;
  /** Why the last read failed, for the page; cleared by the next good read. */
  lastError?: string;

  constructor(brokers: readonly string[], clientId: string) {
    this.admin = new Kafka({
      brokers: [...brokers],
      clientId,
      logLevel: logLevel.NOTHING,
      retry: { retries: 1 },
    }).admin();
  }

  async groupLag(group: string, topics: readonly string[]): Promise<number | undefined> {
    try {
      this.connected ??= this.admin.connect();
      await this.connected;
      const existing = new Set(await this.admin.listTopics());
      const present = topics.filter((t) => existing.has(t));
      if (present.length === 0) return 0;
      const committed = await this.admin.fetchOffsets({ groupId: group, topics: present });
      let lag = 0;
      for (const topic of present) {
        const ends = await this.admin.fetchTopicOffsets(topic);
        const own = committed.find((c) => c.topic === topic)?.partitions ?? [];
        for (const end of ends) {
          const offset = Number(own.find((p) => p.partition === end.partition)?.offset ?? -1);
          const from = offset >= 0 ? offset : Number(end.low);
          lag += Math.max(0, Number(end.high) - from);
        }
      }
      this.lastError = undefined;
      return lag;
    } catch (error) {
      this.lastError = (error as Error).message;
      this.connected = undefined;
      return undefined;
    }
  }

  async close(): Promise<void> {
    await this.admin.disconnect();
  }
}
