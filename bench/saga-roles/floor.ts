import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { Pool } from 'pg';
import { createSystemTopics, startRoleProcess } from './role-process';

interface FloorMessage {
  readonly topic: string;
  readonly key: string;
  readonly value: string;
}

/** What both of the floor's roles are configured with. */
export interface FloorRoleOptions {
  readonly run: string;
  readonly brokers: string[];
  readonly url: string;
  /** The role's own schema (its saga tables and the ledger). */
  readonly schema: string;
  readonly poolSize: number;
  readonly partitions: number;
}

const topicsOf = (run: string) => ({
  commands: `herd-bench.floor.${run}`,
  replies: `herd-bench.floor-replies.${run}`,
});

const now = () => Date.now();

/**
 * What a careful hand-written relay does, and what Herd's does after a commit: messages go out in
 * batches through one producer and are marked sent in one statement per batch, and the code that
 * committed them does not wait for either.
 */
function batchingPublisher(producer: Producer, pool: Pool) {
  let queue: (FloorMessage & { id: number })[] = [];
  let flushing: Promise<void> | undefined;
  const flush = async () => {
    while (queue.length > 0) {
      const batch = queue;
      queue = [];
      const byTopic = new Map<string, { key: string; value: string }[]>();
      for (const m of batch) {
        byTopic.set(m.topic, [...(byTopic.get(m.topic) ?? []), { key: m.key, value: m.value }]);
      }
      await producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
      await pool.query('UPDATE herd_saga_outbox SET sent_at = $1 WHERE id = ANY($2)', [
        Date.now(),
        batch.map((m) => m.id),
      ]);
    }
  };
  const kick = (): void => {
    flushing ??= flush().finally(() => {
      flushing = undefined;
      if (queue.length > 0) kick();
    });
  };
  return {
    push(message: FloorMessage & { id: number }) {
      queue.push(message);
      kick();
    },
    drained: async () => {
      while (flushing) await flushing;
    },
  };
}

type Query = (sql: string, args: unknown[]) => Promise<{ rows: { id: number }[] }>;

/**
 * One role of the floor: its own pool of Herd's size on its own schema, an idempotent producer
 * (Herd's settings) batching what committed, and a consumer of `topic` handing each message to
 * `onMessage`.
 */
async function floorRole(options: FloorRoleOptions, role: 'orch' | 'part') {
  const pool = new Pool({
    connectionString: options.url,
    max: options.poolSize,
    options: `-c search_path=${options.schema}`,
  });
  const kafka = new Kafka({
    brokers: options.brokers,
    clientId: `floor-${options.run}`,
    logLevel: logLevel.NOTHING,
  });
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  const publisher = batchingPublisher(producer, pool);
  const consumer = kafka.consumer({
    groupId: `floor-${role}-${options.run}`,
    maxWaitTimeInMs: 100,
  });
  await consumer.connect();

  return {
    /** Runs `work` in a transaction, then hands its outbox row to the publisher. */
    async txThenPublish(work: (q: Query) => Promise<FloorMessage | null>): Promise<void> {
      const client = await pool.connect();
      let message: FloorMessage | null = null;
      let outboxId = 0;
      try {
        await client.query('BEGIN');
        message = await work((sql, args) => client.query(sql, args));
        if (message) {
          const inserted = await client.query(
            `INSERT INTO herd_saga_outbox (topic, message_key, message_id, headers, value, created_at) VALUES ($1,$2,$3,'{}',$4,$5) RETURNING id`,
            [message.topic, message.key, randomUUID(), message.value, now()],
          );
          outboxId = inserted.rows[0].id;
        }
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      } finally {
        client.release();
      }
      if (message) publisher.push({ ...message, id: outboxId });
    },
    async consume(topic: string, onMessage: (value: string) => Promise<void>): Promise<void> {
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        partitionsConsumedConcurrently: options.partitions,
        eachMessage: ({ message }) => onMessage(String(message.value)),
      });
    },
    async close(): Promise<void> {
      await consumer.disconnect();
      await publisher.drained();
      await producer.disconnect();
      await pool.end();
    },
  };
}

/** The floor's participant (run in its own process by floor-participant.ts). */
export async function floorParticipant(options: FloorRoleOptions) {
  const { commands, replies } = topicsOf(options.run);
  const role = await floorRole(options, 'part');
  await role.consume(commands, async (value) => {
    const command = JSON.parse(value) as { id: string; sagaId: string; step: number };
    await role.txThenPublish(async (q) => {
      const fresh = await q(
        `INSERT INTO herd_saga_inbox (consumer, message_id, processed_at) VALUES ('floor', $1, $2) ON CONFLICT DO NOTHING RETURNING message_id`,
        [command.id, now()],
      );
      if (fresh.rows.length === 0) return null;
      await q('INSERT INTO test_ledger_entry (saga_id, kind) VALUES ($1, $2)', [
        command.sagaId,
        `step-${command.step}`,
      ]);
      return {
        topic: replies,
        key: command.sagaId,
        value: JSON.stringify({
          id: randomUUID(),
          sagaId: command.sagaId,
          causationId: command.id,
        }),
      };
    });
  });
  return role;
}

/**
 * The floor: the same transactions, inbox and outbox rows and Kafka hops as Herd's, written by
 * hand the way a competent engineer would, with no per-message await that Herd does not pay too.
 * The orchestrator runs in this process, the participant in a second one.
 */
export async function handWritten(
  options: Omit<FloorRoleOptions, 'schema'> & {
    schemas: { orchestrator: string; participant: string };
  },
) {
  const { run } = options;
  const { commands, replies } = topicsOf(run);
  await createSystemTopics(options.brokers, [commands, replies], options.partitions);
  const participant = await startRoleProcess('floor-participant.ts', {
    RUN: run,
    BROKERS: options.brokers.join(','),
    PARTITIONS: String(options.partitions),
    PG_URL: options.url,
    SCHEMA: options.schemas.participant,
    POOL_SIZE: String(options.poolSize),
  });
  const orchestrator = await floorRole(
    { ...options, schema: options.schemas.orchestrator },
    'orch',
  );
  const waiting = new Map<string, () => void>();
  await orchestrator.consume(replies, async (value) => {
    const reply = JSON.parse(value) as { sagaId: string; causationId: string };
    let finished = false;
    await orchestrator.txThenPublish(async (q) => {
      const found = await q(
        'SELECT step_index, awaiting_message_id FROM herd_saga_instance WHERE id = $1 FOR UPDATE',
        [reply.sagaId],
      );
      const row = found.rows[0] as unknown as
        { step_index: number; awaiting_message_id: string } | undefined;
      if (!row || row.awaiting_message_id !== reply.causationId) return null;
      if (row.step_index === 1) {
        await q(
          `UPDATE herd_saga_instance SET state = 'COMPLETED', awaiting_message_id = NULL, updated_at = $2 WHERE id = $1`,
          [reply.sagaId, now()],
        );
        finished = true;
        return null;
      }
      const next = randomUUID();
      await q(
        'UPDATE herd_saga_instance SET step_index = 1, awaiting_message_id = $2, updated_at = $3 WHERE id = $1',
        [reply.sagaId, next, now()],
      );
      return {
        topic: commands,
        key: reply.sagaId,
        value: JSON.stringify({ id: next, sagaId: reply.sagaId, step: 1 }),
      };
    });
    if (finished) waiting.get(reply.sagaId)?.();
  });
  const runOne = async () => {
    const sagaId = randomUUID();
    const first = randomUUID();
    const done = new Promise<void>((resolve) => waiting.set(sagaId, resolve));
    await orchestrator.txThenPublish(async (q) => {
      await q(
        `INSERT INTO herd_saga_instance (id, saga_type, definition_version, state, step_index, attempt, data, awaiting_message_id, deadline_at, step_started_at, correlation_id, traceparent, created_at, updated_at)
         VALUES ($1, 'floor', 1, 'RUNNING', 0, 1, '{}', $2, $3, $4, $1, '00-0-0-01', $4, $4)`,
        [sagaId, first, now() + 30_000, now()],
      );
      return {
        topic: commands,
        key: sagaId,
        value: JSON.stringify({ id: first, sagaId, step: 0 }),
      };
    });
    await done;
    waiting.delete(sagaId);
  };
  return {
    runOne,
    participant,
    topics: [commands, replies],
    close: async () => {
      await orchestrator.close();
      await participant.stop();
    },
  };
}
