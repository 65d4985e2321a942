import type { OutgoingMessage } from '../saga-transport';

interface StoredMessage extends OutgoingMessage {
  readonly offset: number;
  readonly timestamp: Date;
}

/**
 * An in-process broker: one ordered log per topic, offsets per consumer group. Share one instance
 * between the orchestrator's and the participants' transports to connect them.
 */
export class MemoryBroker {
  private readonly logs = new Map<string, StoredMessage[]>();
  private readonly offsets = new Map<string, number>();
  private readonly waiters = new Set<() => void>();

  append(message: OutgoingMessage): void {
    const log = this.log(message.topic);
    log.push({ ...message, offset: log.length, timestamp: new Date() });
    for (const wake of [...this.waiters]) wake();
  }

  /** Every message ever published to `topic`, in order (dead-letter topics included). */
  messages(topic: string): readonly StoredMessage[] {
    return this.log(topic);
  }

  next(groupId: string, topic: string): StoredMessage | undefined {
    return this.log(topic)[this.committed(groupId, topic)];
  }

  commit(groupId: string, topic: string, offset: number): void {
    this.offsets.set(`${groupId}\u0000${topic}`, offset + 1);
  }

  /** Resolves on the next append or after `ms`, whichever is first. */
  waitForMessages(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
    });
  }

  private committed(groupId: string, topic: string): number {
    return this.offsets.get(`${groupId}\u0000${topic}`) ?? 0;
  }

  private log(topic: string): StoredMessage[] {
    let log = this.logs.get(topic);
    if (!log) {
      log = [];
      this.logs.set(topic, log);
    }
    return log;
  }
}
