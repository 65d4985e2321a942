import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createTestTopics, eventually, spawnTypeScript } from '@herd/testing';
import { Kafka, logLevel } from 'kafkajs';

/** Linux's clock ticks per second for /proc/<pid>/stat times (USER_HZ). */
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * A role of a benchmarked system in a process of its own, as a second service is: started from
 * `file` (in this folder) with `env`, ready once it prints READY, stopped with SIGTERM.
 */
export interface RoleProcess {
  /** CPU time (user + system) the process has used so far, in milliseconds. */
  cpuMs(): number;
  stop(): Promise<void>;
}

export async function startRoleProcess(
  file: string,
  env: Record<string, string>,
): Promise<RoleProcess> {
  const child = spawnTypeScript(resolve(__dirname, file), { env });
  /** The last lines it printed, to tell why it ended. */
  const lines: string[] = [];
  let ready = false;
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) {
      if (line === 'READY') ready = true;
      else if (line !== '') lines.push(line);
    }
    lines.splice(0, lines.length - 50);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  await eventually(`${file} to start`, async () => ready || undefined, {
    abortIf: () => (child.exitCode === null ? undefined : lines.join('\n')),
  });
  return {
    cpuMs: () => {
      // Fields 14 and 15 (utime, stime) follow the parenthesised command name.
      const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
    },
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** In a role's process: says READY, and runs `close` on SIGTERM before exiting. */
export function roleReady(close: () => Promise<void>): void {
  process.once('SIGTERM', () => {
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`${(error as Error).stack}\n`);
        process.exit(1);
      },
    );
  });
  process.stdout.write('READY\n');
}

/** In a role's process: the entry point's failure is printed and ends the process. */
export function runRole(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    process.stderr.write(`${(error as Error).stack}\n`);
    process.exit(1);
  });
}

/** The environment a role's process reads, each variable required. */
export function roleEnv<K extends string>(...names: K[]): Record<K, string> {
  const missing = names.filter((name) => !process.env[name]);
  if (missing.length > 0) throw new Error(`role process: missing env ${missing.join(', ')}`);
  return Object.fromEntries(names.map((name) => [name, process.env[name] as string])) as Record<
    K,
    string
  >;
}

/** Creates a system's command and reply topics, before either of its roles starts. */
export async function createSystemTopics(
  brokers: string[],
  topics: string[],
  partitions: number,
): Promise<void> {
  const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await createTestTopics(
      admin,
      topics.map((topic) => ({ topic, numPartitions: partitions })),
    );
  } finally {
    await admin.disconnect();
  }
}
