import type { Admin } from 'kafkajs';
import { createTestTopics } from './test-topics';

/** The answer KRaft gave once to a creation's wait for leaders, wrapped as kafkajs retries wrap it. */
const unknownTopic = Object.assign(new Error('retries exceeded'), {
  cause: Object.assign(new Error('This server does not host this topic-partition'), {
    type: 'UNKNOWN_TOPIC_OR_PARTITION',
  }),
});

/** An admin whose topic gets its partitions' leaders only at the `ledAt`-th metadata read. */
function kraftAdmin(createTopics: () => Promise<boolean>, ledAt: number) {
  let reads = 0;
  const admin = {
    createTopics: jest.fn(createTopics),
    fetchTopicMetadata: jest.fn(async () => {
      reads += 1;
      if (reads === 1) throw unknownTopic;
      const leader = reads >= ledAt ? 0 : -1;
      return { topics: [{ name: 't', partitions: [{ partitionId: 0, leader }] }] };
    }),
  };
  return { admin: admin as unknown as Admin, reads: () => reads };
}

describe('createTestTopics', () => {
  it('waits out UNKNOWN_TOPIC_OR_PARTITION from the creation until every partition has a leader', async () => {
    const { admin, reads } = kraftAdmin(() => Promise.reject(unknownTopic), 3);
    await createTestTopics(admin, [{ topic: 't', numPartitions: 1 }]);
    expect(reads()).toBe(3);
  });

  it('waits for leaders after a creation that succeeded too', async () => {
    const { admin, reads } = kraftAdmin(() => Promise.resolve(true), 2);
    await createTestTopics(admin, [{ topic: 't', numPartitions: 1 }]);
    expect(admin.createTopics).toHaveBeenCalledWith({
      topics: [{ topic: 't', numPartitions: 1 }],
      waitForLeaders: true,
    });
    expect(reads()).toBe(2);
  });

  it('rethrows any other error, and gives up after its timeout naming the topics', async () => {
    const refused = Object.assign(new Error('denied'), { type: 'TOPIC_AUTHORIZATION_FAILED' });
    await expect(
      createTestTopics(kraftAdmin(() => Promise.reject(refused), 2).admin, [{ topic: 't' }]),
    ).rejects.toBe(refused);
    await expect(
      createTestTopics(kraftAdmin(() => Promise.resolve(true), Infinity).admin, [{ topic: 't' }], {
        timeoutMs: 300,
      }),
    ).rejects.toThrow('topics t have no leader for every partition after 300 ms');
  });
});
