import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { herdInfraEnv, percentile } from '@herd/testing';
import { defineSaga, SagaRuntime } from '@herd/saga';
import { LedgerEntryEntity } from '/work/main/libs/saga/src/testing/ledger-entry.entity';
import { PgTestSchema } from '/work/main/libs/saga/src/testing/pg-test-schema';

async function main() {
  const env = herdInfraEnv();
  const run = randomBytes(4).toString('hex');
  const s1 = new PgTestSchema(env.postgresUrl), s2 = new PgTestSchema(env.postgresUrl);
  for (const s of [s1, s2]) { await s.create(); await s.synchronize([LedgerEntryEntity]); }
  const d1 = await s1.dataSource([LedgerEntryEntity], 20), d2 = await s2.dataSource([LedgerEntryEntity], 20);
  const channel = `herd-exp.${run}`;
  const kafka = { type: 'kafka' as const, brokers: env.kafkaBrokers, numPartitions: 6, partitionsConsumedConcurrently: 6 };
  const saga = defineSaga<{ n: number }>(`exp-${run}`, 1)
    .remote('one', { channel, command: 'one', payload: (d) => d })
    .remote('two', { channel, command: 'two', payload: (d) => d }).build();
  const orch = new SagaRuntime({ dataSource: d1, serviceName: `o-${run}`, transport: kafka, definitions: [saga], relay: { listen: process.env.LISTEN !== '0' } });
  const part = new SagaRuntime({ dataSource: d2, serviceName: `p-${run}`, transport: kafka, relay: { listen: process.env.LISTEN !== '0' } });
  const hop: number[] = [];
  for (const c of ['one', 'two']) part.registerHandler({ command: c, channel, handle: async (_p, { manager, envelope }) => { hop.push(Date.now() - envelope.timestamp); await manager.insert(LedgerEntryEntity, { sagaId: envelope.sagaId, kind: c }); } });
  const dur: Record<string, number[]> = { reply: [], dispatch: [], start: [], publish: [] };
  const wrap = (obj: any, name: string, key: string) => { const orig = obj[name].bind(obj); obj[name] = async (...a: unknown[]) => { const t = performance.now(); try { return await orig(...a); } finally { dur[key].push(performance.now() - t); } }; };
  wrap(orch.orchestrator, 'handleReply', 'reply'); wrap((part as any).participants, 'dispatch', 'dispatch'); wrap(orch.orchestrator, 'start', 'start'); wrap(part.transport, 'publish', 'publish');
  await part.start(); await orch.start();
  const waiting = new Map<string, () => void>();
  orch.orchestrator.onStateChange((c) => { if (c.to === 'COMPLETED') waiting.get(c.sagaId)?.(); });
  const lat: number[] = [];
  const one = async () => { const id = randomUUID(); const t = Date.now(); const p = new Promise<void>((r) => waiting.set(id, r)); await orch.orchestrator.start(saga.name, { n: 1 }, { sagaId: id }); await p; lat.push(Date.now() - t); };
  for (let i = 0; i < 50; i++) await one();
  hop.length = 0; lat.length = 0; for (const k in dur) dur[k].length = 0;
  const pending: Promise<void>[] = [];
  const rate = Number(process.env.RATE ?? 50);
  const t0 = Date.now();
  for (let i = 0; i < rate * 5; i++) { const due = t0 + (i * 1000) / rate; const w = due - Date.now(); if (w > 0) await sleep(w); pending.push(one()); }
  await Promise.all(pending);
  hop.sort((a, b) => a - b); lat.sort((a, b) => a - b);
  console.log('hop p50', percentile(hop, 50), 'p90', percentile(hop, 90), 'p99', percentile(hop, 99), 'max', hop[hop.length-1]);
  for (const k in dur) { const v = dur[k].sort((a, b) => a - b); console.log(k, 'p50', percentile(v, 50).toFixed(1), 'p90', percentile(v, 90).toFixed(1)); }
  console.log('saga p50', percentile(lat, 50), 'p90', percentile(lat, 90), 'p99', percentile(lat, 99));
  await orch.close(); await part.close(); await s1.drop(); await s2.drop();
}
main().then(() => process.exit(0));
