import { execFileSync, spawn } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InfraStepError } from '../infra/infra-error';
import { InfraContext } from '../infra/infra-server';
import { aptInstall } from '../infra/apt';
import { runLogged } from '../infra/processes';
import { dockerProbe, imageExists } from './docker-cli';
import { ensureDockerEngine } from './docker-engine';

export const REPO_ROOT = resolve(__dirname, '..', '..', '..', '..');
/** What the Dockerfiles default to, for machines that can pull it. */
export const PUBLIC_NODE_IMAGE = 'node:20-bookworm-slim';
export const LOCAL_DEBIAN_IMAGE = 'herd/debian:bookworm';
export const BASE_IMAGE_KEY = 'HERD_BASE_IMAGE';

/** The machine's npm, a plain JavaScript package the local Node image carries as the public one does. */
function hostNpm(): { dir: string; version: string } {
  const dir = join(execFileSync('npm', ['root', '--global'], { encoding: 'utf8' }).trim(), 'npm');
  const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    version: string;
  };
  return { dir, version };
}

export function localNodeImage(): string {
  return `herd/node:${process.versions.node}-npm${hostNpm().version}`;
}

/**
 * The Node base image service images build on: HERD_BASE_IMAGE when set, else the public image
 * if it is here or can be pulled, else one built locally (no registry needed).
 */
export async function resolveNodeBaseImage(
  context: InfraContext,
  env = process.env,
): Promise<string> {
  await ensureDockerEngine(context);
  const chosen = env[BASE_IMAGE_KEY]?.trim();
  if (chosen) {
    if (
      !(await imageExists(chosen)) &&
      (await dockerProbe(['pull', chosen], 120_000)) === undefined
    ) {
      throw new InfraStepError(
        'docker base image',
        `${BASE_IMAGE_KEY}=${chosen} is neither here nor pullable`,
      );
    }
    return chosen;
  }
  if (await imageExists(PUBLIC_NODE_IMAGE)) return PUBLIC_NODE_IMAGE;
  if (await imageExists(localNodeImage())) return localNodeImage();
  context.progress('docker', `trying to pull ${PUBLIC_NODE_IMAGE}`);
  if ((await dockerProbe(['pull', PUBLIC_NODE_IMAGE], 60_000)) !== undefined)
    return PUBLIC_NODE_IMAGE;
  context.progress('docker', `no registry reachable: building ${localNodeImage()} locally`);
  return buildLocalNodeImage(context);
}

/** `herd/debian:bookworm`: a minimal Debian made by debootstrap from the mirror apt uses here. */
export async function ensureLocalDebianImage({ paths, progress }: InfraContext): Promise<string> {
  const dir = join(paths.cacheDir, 'images');
  const logFile = join(dir, 'base-images.log');
  mkdirSync(dir, { recursive: true });
  if (!(await imageExists(LOCAL_DEBIAN_IMAGE))) {
    const rootfs = join(dir, 'rootfs-bookworm');
    rmSync(rootfs, { recursive: true, force: true });
    if (!existsSync('/usr/sbin/debootstrap')) {
      progress('docker', "installing Debian's debootstrap (apt-get)");
      await aptInstall(['debootstrap'], logFile);
    }
    const mirror = aptMirror();
    progress('docker', `debootstrap a minimal Debian bookworm from ${mirror} (about 30 s)`);
    await runLogged('debootstrap', ['--variant=minbase', 'bookworm', rootfs, mirror], {
      step: 'docker debootstrap',
      logFile,
      progress,
      heartbeatMs: 30_000,
    });
    progress('docker', `importing it as ${LOCAL_DEBIAN_IMAGE}`);
    await pipeTarIntoDockerImport(rootfs, LOCAL_DEBIAN_IMAGE, logFile);
    rmSync(rootfs, { recursive: true, force: true });
  }
  return LOCAL_DEBIAN_IMAGE;
}

async function buildLocalNodeImage(context: InfraContext): Promise<string> {
  const { paths, progress } = context;
  const dir = join(paths.cacheDir, 'images');
  const logFile = join(dir, 'base-images.log');
  await ensureLocalDebianImage(context);
  const contextDir = join(dir, 'node-runtime');
  rmSync(contextDir, { recursive: true, force: true });
  mkdirSync(contextDir, { recursive: true });
  copyFileSync(process.execPath, join(contextDir, 'node'));
  cpSync(hostNpm().dir, join(contextDir, 'npm'), { recursive: true, dereference: true });
  progress('docker', `building ${localNodeImage()} (the machine's node on ${LOCAL_DEBIAN_IMAGE})`);
  await runLogged(
    'docker',
    [
      'build',
      '-f',
      join(REPO_ROOT, 'docker', 'node-runtime.Dockerfile'),
      '-t',
      localNodeImage(),
      contextDir,
    ],
    { step: 'docker build node runtime', logFile, progress, heartbeatMs: 30_000 },
  );
  rmSync(contextDir, { recursive: true, force: true });
  return localNodeImage();
}

/** The Debian mirror apt already uses here: no host name is written into the repository. */
function aptMirror(): string {
  const dir = '/etc/apt/sources.list.d';
  const sources = [
    ...(existsSync(dir) ? readdirSync(dir).map((f) => join(dir, f)) : []),
    '/etc/apt/sources.list',
  ].filter(existsSync);
  for (const file of sources) {
    const text = readFileSync(file, 'utf8');
    const match =
      /^URIs:\s*(\S+)/m.exec(text) ?? /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+bookworm\s/m.exec(text);
    if (match?.[1]) return match[1];
  }
  throw new InfraStepError('docker debootstrap', 'no Debian mirror found in /etc/apt sources');
}

async function pipeTarIntoDockerImport(rootfs: string, image: string, logFile: string) {
  const tar = spawn('tar', ['-C', rootfs, '-c', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const importer = spawn('docker', ['import', '-', image], { stdio: ['pipe', 'ignore', 'pipe'] });
  let errors = '';
  importer.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const exited = new Promise<number | null>((resolvePromise, reject) => {
    importer.once('error', reject);
    importer.once('close', resolvePromise);
  });
  // An importer that dies early breaks the pipe: its exit code and stderr say why, not EPIPE.
  await pipeline(tar.stdout as Readable, importer.stdin as Writable).catch(() => undefined);
  const code = await exited;
  if (code !== 0) {
    tar.kill();
    throw new InfraStepError('docker import', `exited with ${code}: ${errors}`, logFile);
  }
}
