import { spawn, SpawnOptions } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { InfraStepError } from './infra-error';
import { ProgressReporter } from './progress';

export interface RunOptions {
  readonly step: string;
  readonly logFile: string;
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Long commands print a heartbeat so nobody wonders whether provisioning hung. */
  readonly progress?: ProgressReporter;
  readonly heartbeatMs?: number;
}

/** Runs a command to completion with its output appended to a log; throws naming the step. */
export async function runLogged(
  command: string,
  args: string[],
  options: RunOptions,
): Promise<void> {
  mkdirSync(dirname(options.logFile), { recursive: true });
  const fd = openSync(options.logFile, 'a');
  const started = Date.now();
  const heartbeat =
    options.progress && options.heartbeatMs
      ? setInterval(
          () =>
            options.progress?.(
              options.step,
              `still running (${Math.round((Date.now() - started) / 1000)} s)`,
            ),
          options.heartbeatMs,
        )
      : undefined;
  try {
    const code = await new Promise<number>((resolvePromise, reject) => {
      const child = spawn(command, args, {
        cwd: options.cwd,
        env: options.env ?? process.env,
        stdio: ['ignore', fd, fd],
      });
      child.on('error', reject);
      child.on('exit', (exitCode, signal) => resolvePromise(exitCode ?? (signal ? 128 : 1)));
    });
    if (code !== 0) {
      throw new InfraStepError(
        options.step,
        `\`${command} ${args.join(' ')}\` exited with ${code}:\n${tailOf(options.logFile)}`,
        options.logFile,
      );
    }
  } catch (error) {
    if (error instanceof InfraStepError) throw error;
    throw new InfraStepError(
      options.step,
      `cannot run ${command}: ${String(error)}`,
      options.logFile,
    );
  } finally {
    if (heartbeat) clearInterval(heartbeat);
    closeSync(fd);
  }
}

export interface DaemonOptions {
  readonly logFile: string;
  readonly pidFile: string;
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly uid?: number;
  readonly gid?: number;
}

/**
 * Who a pid is: the kernel's boot id and the process's start time (clock ticks since boot). A
 * pid recorded before a reboot, or reused by another program since, has another identity.
 */
export function processIdentity(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may itself contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const startTime = fields[19];
    const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    return startTime ? `${bootId}/${startTime}` : undefined;
  } catch {
    return undefined;
  }
}

export function commandLineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

/** Starts a long-running server detached from this process and records its pid and identity. */
export function spawnDaemon(command: string, args: string[], options: DaemonOptions): number {
  mkdirSync(dirname(options.logFile), { recursive: true });
  const fd = openSync(options.logFile, 'a');
  const spawnOptions: SpawnOptions = {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', fd, fd],
    detached: true,
    uid: options.uid,
    gid: options.gid,
  };
  const child = spawn(command, args, spawnOptions);
  closeSync(fd);
  if (child.pid === undefined) throw new Error(`cannot start ${command}`);
  child.unref();
  writeFileSync(options.pidFile, `${child.pid}\n${processIdentity(child.pid) ?? ''}\n`);
  return child.pid;
}

export function readPid(pidFile: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number.parseInt(readFileSync(pidFile, 'utf8').split('\n')[0] ?? '', 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

export function isAlive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether the process a pid file names is the one we started: the same identity as recorded at
 * spawn (pid files written before identities were recorded: none to compare) and a command line
 * naming `marker` (the server's binary, config file or pid file).
 */
export function ownsProcess(pidFile: string, marker: string): boolean {
  const pid = readPid(pidFile);
  if (!isAlive(pid)) return false;
  const recorded = readFileSync(pidFile, 'utf8').split('\n')[1]?.trim();
  if (recorded && processIdentity(pid as number) !== recorded) return false;
  return commandLineOf(pid as number).includes(marker);
}

export type StopOutcome = 'stopped' | 'not running' | 'not ours';

/**
 * Stops the process recorded in a pid file, SIGTERM then SIGKILL after the grace period, only
 * when it is ours (see ownsProcess): a pid file left by a reboot or a crash may name anything
 * by now, and as root a signal reaches every process. A stale pid file is removed.
 */
export async function stopPidFile(
  pidFile: string,
  graceMs: number,
  marker: string,
): Promise<StopOutcome> {
  const pid = readPid(pidFile);
  if (!isAlive(pid)) {
    rmSync(pidFile, { force: true });
    return 'not running';
  }
  if (!ownsProcess(pidFile, marker)) {
    rmSync(pidFile, { force: true });
    return 'not ours';
  }
  process.kill(pid as number, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
  if (isAlive(pid)) process.kill(pid as number, 'SIGKILL');
  while (isAlive(pid)) await sleep(50);
  rmSync(pidFile, { force: true });
  return 'stopped';
}

export interface WaitOptions {
  readonly step: string;
  readonly timeoutMs: number;
  readonly logFile?: string;
  /** When the server's process dies there is no point waiting for the timeout. */
  readonly stillRunning?: () => boolean;
}

export async function waitUntil<T>(
  probe: () => Promise<T | undefined>,
  options: WaitOptions,
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (options.stillRunning && !options.stillRunning()) {
      throw new InfraStepError(
        options.step,
        `the process exited before it was ready${options.logFile ? `:\n${tailOf(options.logFile)}` : ''}`,
        options.logFile,
      );
    }
    if (Date.now() > deadline) {
      throw new InfraStepError(
        options.step,
        `not ready after ${options.timeoutMs / 1000} s (last error: ${String(lastError ?? 'none')})`,
        options.logFile,
      );
    }
    await sleep(250);
  }
}

export function tailOf(file: string, lines = 15): string {
  if (!existsSync(file)) return '(no log)';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}
