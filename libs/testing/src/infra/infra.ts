import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { ensureDockerEngine, stopDockerEngine } from '../docker/docker-engine';
import { ConsulServer } from './consul.server';
import { InfraStepError } from './infra-error';
import {
  DEFAULT_INFRA_PORTS,
  EPHEMERAL_PORT_START,
  INFRA_ENV_KEYS,
  INFRA_PORT_OFFSET_KEY,
  InfraPorts,
} from './infra.constants';
import { InfraPaths, resolveInfraPaths } from './infra-paths';
import { InfraServer, InfraServerName, ServerProbe } from './infra-server';
import { KafkaServer } from './kafka.server';
import { PostgresServer } from './postgres.server';
import { ProgressReporter, consoleProgress } from './progress';
import { withInfraLock } from './infra-lock';
import type { StopOutcome } from './processes';

export type InfraEnv = Record<(typeof INFRA_ENV_KEYS)[InfraServerName], string>;

export interface ServerStatus extends ServerProbe {
  readonly name: InfraServerName;
  readonly connection: string;
  /** `external` when the connection came from the environment: Herd neither starts nor stops it. */
  readonly managedBy: 'herd' | 'external';
}

export interface InfraOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly progress?: ProgressReporter;
  readonly only?: readonly InfraServerName[];
}

export function resolveInfraPorts(env: NodeJS.ProcessEnv = process.env): InfraPorts {
  const raw = env[INFRA_PORT_OFFSET_KEY];
  const offset = raw === undefined || raw === '' ? 0 : Number(raw);
  const maxOffset = EPHEMERAL_PORT_START - 1 - Math.max(...Object.values(DEFAULT_INFRA_PORTS));
  if (!Number.isInteger(offset) || offset < 0 || offset > maxOffset) {
    throw new InfraStepError(
      'configuration',
      `${INFRA_PORT_OFFSET_KEY} must be an integer from 0 to ${maxOffset} (every port stays below ` +
        `the ephemeral range at ${EPHEMERAL_PORT_START}), got "${raw}"`,
    );
  }
  const entries = Object.entries(DEFAULT_INFRA_PORTS).map(([key, port]) => [key, port + offset]);
  return Object.fromEntries(entries) as InfraPorts;
}

function selected(options: InfraOptions): readonly InfraServer[] {
  const ports = resolveInfraPorts(options.env ?? process.env);
  const servers = [new PostgresServer(ports), new KafkaServer(ports), new ConsulServer(ports)];
  return options.only ? servers.filter((s) => options.only?.includes(s.name)) : servers;
}

function externalConnection(server: InfraServer, env: NodeJS.ProcessEnv): string | undefined {
  const value = env[INFRA_ENV_KEYS[server.name]];
  return value && value.trim() !== '' ? value.trim() : undefined;
}

/**
 * Brings up every server that is not already healthy, reusing what runs and what is cached.
 * A server whose HERD_* variable is set is used as given and never provisioned.
 */
export async function infraUp(options: InfraOptions = {}): Promise<InfraEnv> {
  const env = options.env ?? process.env;
  const progress = options.progress ?? consoleProgress;
  const paths = resolveInfraPaths(env);
  return withInfraLock(paths, { progress }, () => up(options, env, paths, progress));
}

/**
 * What the integration suites and the benchmarks run against: the servers of `infraUp`, their
 * addresses also set in this process's env, and a Docker engine answering (started when none does).
 * Many of them talk to Docker first thing (a swarm, a base image), so it is not left to whichever
 * image build happens to come first.
 */
export async function realServersUp(options: InfraOptions = {}): Promise<InfraEnv> {
  const env = await infraUp(options);
  Object.assign(options.env ?? process.env, env);
  const progress = options.progress ?? consoleProgress;
  const paths = resolveInfraPaths(options.env ?? process.env);
  progress('docker', `engine ${await ensureDockerEngine({ paths, progress })} answering`);
  return env;
}

async function up(
  options: InfraOptions,
  env: NodeJS.ProcessEnv,
  paths: InfraPaths,
  progress: ProgressReporter,
): Promise<InfraEnv> {
  mkdirSync(paths.stateDir, { recursive: true });
  const result = {} as InfraEnv;
  // Settle every server before failing, so one failure neither hides another nor orphans a build.
  const outcomes = await Promise.allSettled(
    selected(options).map(async (server) => {
      const key = INFRA_ENV_KEYS[server.name];
      const external = externalConnection(server, env);
      const connection = external ?? server.connectionString();
      const before = await server.probe(connection);
      if (before.healthy) {
        progress(server.name, `ready at ${before.address}${external ? ' (from ' + key + ')' : ''}`);
      } else if (external) {
        throw new InfraStepError(
          `${server.name} external`,
          `${key}=${external} is not reachable: ${before.detail}`,
        );
      } else {
        // Ours but not answering where it should (an earlier port configuration, a hung server):
        // stop it first, or the new one would find its data directory locked and the old orphaned.
        if ((await server.stop({ paths, progress })) === 'stopped') {
          progress(
            server.name,
            'stopped the instance this checkout ran, which did not answer here',
          );
        }
        await server.start({ paths, progress });
        const after = await server.probe(connection);
        if (!after.healthy) {
          throw new InfraStepError(
            `${server.name} probe`,
            after.detail ?? 'unhealthy',
            server.logFile(paths),
          );
        }
        progress(server.name, `ready at ${after.address} (version ${after.version ?? 'unknown'})`);
      }
      if (!external) {
        await server.claim?.(connection);
        server.writeToolWrappers(paths);
      }
      result[key] = connection;
    }),
  );
  const failures = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failures.length === 1) throw failures[0]?.reason;
  if (failures.length > 1) {
    throw new InfraStepError(
      'up',
      failures
        .map((f) => (f.reason instanceof Error ? f.reason.message : String(f.reason)))
        .join('\n\n'),
    );
  }
  const ordered = Object.fromEntries(
    selected(options).map((server) => [
      INFRA_ENV_KEYS[server.name],
      result[INFRA_ENV_KEYS[server.name]],
    ]),
  ) as InfraEnv;
  await writeEnvFile(paths, ordered, options);
  return ordered;
}

export interface StopReport {
  readonly name: InfraServerName | 'docker';
  readonly outcome: StopOutcome | 'external' | 'failed';
  readonly detail?: string;
}

/**
 * Stops what this checkout started, every server even when one fails, and reports each: stopped,
 * not running, not ours (the pid file names another process by now: left alone), external, or
 * failed with the reason. Throws after trying them all when one failed.
 */
export async function infraDown(options: InfraOptions = {}): Promise<StopReport[]> {
  const env = options.env ?? process.env;
  const paths = resolveInfraPaths(env);
  const progress = options.progress ?? consoleProgress;
  return withInfraLock(paths, { progress }, async () => {
    const reports: StopReport[] = [];
    const attempt = async (
      name: StopReport['name'],
      stop: () => Promise<StopOutcome>,
    ): Promise<void> => {
      try {
        reports.push({ name, outcome: await stop() });
      } catch (error) {
        reports.push({
          name,
          outcome: 'failed',
          detail: error instanceof Error ? error.message : String(error),
        });
      }
      const report = reports[reports.length - 1] as StopReport;
      progress(name, report.detail ? `${report.outcome}: ${report.detail}` : report.outcome);
    };
    for (const server of selected(options)) {
      if (externalConnection(server, env)) {
        reports.push({ name: server.name, outcome: 'external' });
        progress(server.name, `external (${INFRA_ENV_KEYS[server.name]}): left alone`);
        continue;
      }
      await attempt(server.name, () => server.stop({ paths, progress }));
    }
    if (!options.only) await attempt('docker', () => stopDockerEngine(paths));
    forgetStopped(paths, reports);
    const failed = reports.filter((r) => r.outcome === 'failed');
    if (failed.length > 0) {
      throw new InfraStepError(
        'down',
        failed.map((r) => `${r.name}: ${r.detail ?? 'failed'}`).join('\n'),
      );
    }
    return reports;
  });
}

export async function infraStatus(options: InfraOptions = {}): Promise<ServerStatus[]> {
  const env = options.env ?? process.env;
  return Promise.all(
    selected(options).map(async (server) => {
      const external = externalConnection(server, env);
      const connection = external ?? server.connectionString();
      return {
        name: server.name,
        connection,
        managedBy: external ? 'external' : 'herd',
        ...(await server.probe(connection)),
      } satisfies ServerStatus;
    }),
  );
}

export function infraLogFiles(
  options: InfraOptions = {},
): Array<{ name: InfraServerName; file: string }> {
  const paths = resolveInfraPaths(options.env ?? process.env);
  return selected(options).map((server) => ({ name: server.name, file: server.logFile(paths) }));
}

/** Reads the env file `up` wrote, so tools and tests started later use the same servers. */
export function readInfraEnvFile(paths: InfraPaths = resolveInfraPaths()): Partial<InfraEnv> {
  if (!existsSync(paths.envFile)) return {};
  const entries = readFileSync(paths.envFile, 'utf8')
    .split('\n')
    .map((line) => /^(HERD_[A-Z_]+)=(.*)$/.exec(line.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => [m[1], m[2]]);
  return Object.fromEntries(entries) as Partial<InfraEnv>;
}

/**
 * Writes the servers just brought up and keeps the line of every other server the file names
 * that still answers (`up kafka` must not make PostgreSQL and Consul vanish from it).
 */
async function writeEnvFile(
  paths: InfraPaths,
  env: InfraEnv,
  options: InfraOptions,
): Promise<void> {
  const previous = readInfraEnvFile(paths);
  const kept: Partial<InfraEnv> = {};
  const ports = resolveInfraPorts(options.env ?? process.env);
  for (const server of [
    new PostgresServer(ports),
    new KafkaServer(ports),
    new ConsulServer(ports),
  ]) {
    const key = INFRA_ENV_KEYS[server.name];
    const value = env[key] ?? previous[key];
    if (value === undefined) continue;
    if (env[key] !== undefined || (await server.probe(value)).healthy) kept[key] = value;
  }
  writeEnvLines(paths, kept);
}

/** After `down`, the lines of the servers stopped (or found not running) go. */
function forgetStopped(paths: InfraPaths, reports: readonly StopReport[]): void {
  const previous = readInfraEnvFile(paths);
  const gone = new Set(
    reports
      .filter((r) => r.outcome === 'stopped' || r.outcome === 'not running')
      .map((r) => r.name),
  );
  const kept = Object.fromEntries(
    Object.entries(INFRA_ENV_KEYS)
      .filter(([name]) => !gone.has(name as InfraServerName))
      .map(([, key]) => [key, previous[key]])
      .filter(([, value]) => value !== undefined),
  ) as Partial<InfraEnv>;
  if (Object.keys(previous).length > 0) writeEnvLines(paths, kept);
}

function writeEnvLines(paths: InfraPaths, env: Partial<InfraEnv>): void {
  const lines = Object.entries(env).map(([key, value]) => `${key}=${value}`);
  writeFileSync(
    paths.envFile,
    `# Written by \`npm run infra -- up\`; source it or let Herd read it.\n${lines.join('\n')}\n`,
  );
}
