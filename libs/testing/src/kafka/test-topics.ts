import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin, ITopicConfig } from 'kafkajs';

/**
 * `admin.createTopics({ waitForLeaders: true })`, then waits until every partition has a leader.
 * KRaft can answer UNKNOWN_TOPIC_OR_PARTITION to the creation's own wait for leaders while the
 * new topic's metadata is still spreading: the topic exists, and a producer started at once would
 * fail. That answer is waited out here; any other error is the caller's.
 */
export async function createTestTopics(
  admin: Admin,
  topics: readonly ITopicConfig[],
  { timeoutMs = 30_000 }: { timeoutMs?: number } = {},
): Promise<void> {
  try {
    await admin.createTopics({ topics: [...topics], waitForLeaders: true });
  } catch (error) {
    if (!mentionsUnknownTopic(error)) throw error;
  }
  const names = topics.map((t) => t.topic);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const led = await admin
      .fetchTopicMetadata({ topics: names })
      .then(({ topics: found }) =>
        names.every((name) => {
          const partitions = found.find((t) => t.name === name)?.partitions ?? [];
          return partitions.length > 0 && partitions.every((p) => p.leader >= 0);
        }),
      )
      .catch((error: unknown) => {
        if (mentionsUnknownTopic(error)) return false;
        throw error;
      });
    if (led) return;
    if (Date.now() > deadline) {
      throw new Error(
        `topics ${names.join(', ')} have no leader for every partition after ${timeoutMs} ms`,
      );
    }
    await sleep(100);
  }
}

/** kafkajs wraps a broker's answer in retry errors: the type is looked for down the causes. */
function mentionsUnknownTopic(error: unknown): boolean {
  let e = error as { type?: string; cause?: unknown } | undefined;
  for (let depth = 0; e && depth < 5; depth += 1) {
    if (e.type === 'UNKNOWN_TOPIC_OR_PARTITION') return true;
    e = e.cause as typeof e;
  }
  return false;
}
