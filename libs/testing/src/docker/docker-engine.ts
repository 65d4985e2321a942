import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { InfraStepError } from '../infra/infra-error';
import { InfraContext } from '../infra/infra-server';
import { aptInstall } from '../infra/apt';
import { InfraPaths } from '../infra/infra-paths';
import {
  isAlive,
  readPid,
  spawnDaemon,
  stopPidFile,
  waitUntil,
  type StopOutcome,
} from '../infra/processes';
import { dockerProbe } from './docker-cli';

/**
 * A Docker engine to build and run images: the one already running, else (as root) Debian's
 * docker.io, installed when missing and started by us with its pid file under the state dir.
 */
export async function ensureDockerEngine({ paths, progress }: InfraContext): Promise<string> {
  const running = await dockerProbe(['version', '--format', '{{.Server.Version}}']);
  if (running) return running;
  if (process.getuid?.() !== 0) {
    throw new InfraStepError(
      'docker engine',
      'no Docker engine answers: start dockerd (or install docker.io) and retry',
    );
  }
  const dir = join(paths.stateDir, 'docker');
  mkdirSync(dir, { recursive: true });
  const logFile = join(dir, 'dockerd.log');
  if (!existsSync('/usr/sbin/dockerd') && !existsSync('/usr/bin/dockerd')) {
    progress('docker', "installing Debian's docker.io (apt-get)");
    await aptInstall(['docker.io'], logFile);
  }
  progress('docker', 'starting dockerd');
  const pidFile = dockerdPidFile(paths);
  spawnDaemon('dockerd', ['--pidfile', join(dir, 'dockerd.pid')], { logFile, pidFile });
  return waitUntil(() => dockerProbe(['version', '--format', '{{.Server.Version}}']), {
    step: 'docker wait for engine',
    timeoutMs: 60_000,
    logFile,
    stillRunning: () => isAlive(readPid(pidFile)),
  });
}

/** Stops the dockerd this checkout started, if any; an engine started elsewhere is left alone. */
export function stopDockerEngine(paths: InfraPaths): Promise<StopOutcome> {
  // dockerd was started with --pidfile in our state dir: its command line names it.
  return stopPidFile(dockerdPidFile(paths), 30_000, join(paths.stateDir, 'docker', 'dockerd.pid'));
}

function dockerdPidFile(paths: InfraPaths): string {
  return join(paths.stateDir, 'docker', 'dockerd.pid.herd');
}
