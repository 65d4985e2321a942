import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { InfraStepError } from './infra-error';
import { InfraPaths } from './infra-paths';
import { isAlive, processIdentity } from './processes';
import { ProgressReporter } from './progress';

export interface InfraLockOptions {
  readonly progress: ProgressReporter;
  /** Give up waiting for another holder after this long. Default: 15 minutes (a cold build). */
  readonly timeoutMs?: number;
}

/**
 * Runs `work` holding the checkout's infra lock (`<state>/infra.lock`), so two `up`s (two
 * terminals, a test run and a terminal) never both start a server and orphan one. The lock file
 * names its holder's pid and identity: a holder that died (crash, reboot) leaves a stale lock
 * that the next caller takes over; a live holder is waited for, with progress.
 */
export async function withInfraLock<T>(
  paths: InfraPaths,
  options: InfraLockOptions,
  work: () => Promise<T>,
): Promise<T> {
  mkdirSync(paths.stateDir, { recursive: true });
  const file = join(paths.stateDir, 'infra.lock');
  const me = `${process.pid}\n${processIdentity(process.pid) ?? ''}\n`;
  const deadline = Date.now() + (options.timeoutMs ?? 15 * 60_000);
  let announced = false;
  for (;;) {
    // Written aside then hard-linked into place: the lock appears atomically with its content.
    const mine = `${file}.${process.pid}`;
    writeFileSync(mine, me);
    try {
      linkSync(mine, file);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      rmSync(mine, { force: true });
    }
    const content = readFileSafe(file);
    const holder = readHolder(content);
    if (holder && holder.alive) {
      if (Date.now() > deadline) {
        throw new InfraStepError(
          'lock',
          `another infra command (pid ${holder.pid}) still holds ${file}; stop it or remove the file`,
        );
      }
      if (!announced) options.progress('infra', `waiting for pid ${holder.pid} (holds ${file})`);
      announced = true;
      await sleep(250);
    } else {
      // The holder is gone (crashed, or the machine rebooted): take its lock over, unless
      // another waiter just did.
      if (readFileSafe(file) === content) rmSync(file, { force: true });
    }
  }
  try {
    return await work();
  } finally {
    if (readFileSafe(file) === me) rmSync(file, { force: true });
  }
}

function readHolder(content: string): { pid: number; alive: boolean } | undefined {
  const [pidLine, identity] = content.split('\n');
  const pid = Number.parseInt(pidLine ?? '', 10);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  const alive = isAlive(pid) && (!identity || processIdentity(pid) === identity);
  return { pid, alive };
}

function readFileSafe(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
