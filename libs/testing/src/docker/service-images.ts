import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InfraContext } from '../infra/infra-server';
import { runLogged } from '../infra/processes';
import { dockerProbe } from './docker-cli';
import { REPO_ROOT, resolveNodeBaseImage } from './base-images';
import { ensureDockerEngine } from './docker-engine';

export const SERVICE_APPS = ['courseware', 'codec'] as const;
export type ServiceApp = (typeof SERVICE_APPS)[number];

const DEFAULT_PORTS: Record<ServiceApp, number> = { courseware: 3000, codec: 3001 };

export interface BuiltImage {
  readonly app: ServiceApp;
  readonly image: string;
  readonly baseImage: string;
  readonly bytes: number;
}

/**
 * Builds `herd/<app>:<version>` from docker/service.Dockerfile: the app compiled by the Nest CLI
 * and the production node_modules (installed once per lock file, cached) in a prepared context.
 */
export async function buildServiceImages(
  apps: readonly ServiceApp[],
  context: InfraContext,
): Promise<BuiltImage[]> {
  const { progress } = context;
  const engine = await ensureDockerEngine(context);
  progress('images', `Docker engine ${engine}`);
  const baseImage = await resolveNodeBaseImage(context);
  const modules = await productionModules(context);
  const version = (
    JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }
  ).version;
  const built: BuiltImage[] = [];
  for (const app of apps) {
    const logFile = join(context.paths.stateDir, 'images', `${app}.log`);
    rmSync(logFile, { force: true });
    progress('images', `compiling ${app} (nest build)`);
    await runLogged('npx', ['nest', 'build', app], {
      step: `nest build ${app}`,
      logFile,
      cwd: REPO_ROOT,
    });
    const stage = join(context.paths.stateDir, 'images', app, 'context');
    rmSync(stage, { recursive: true, force: true });
    mkdirSync(stage, { recursive: true });
    cpSync(join(REPO_ROOT, 'package.json'), join(stage, 'package.json'));
    linkTree(modules, join(stage, 'node_modules'));
    cpSync(join(REPO_ROOT, 'dist', 'apps', app), join(stage, 'dist'), { recursive: true });
    writeFileSync(join(stage, 'dist', 'main.js'), `require('./apps/${app}/src/main.js');\n`);
    const image = `herd/${app}:${version}`;
    progress('images', `building ${image} on ${baseImage}`);
    await runLogged(
      'docker',
      [
        'build',
        '-f',
        join(REPO_ROOT, 'docker', 'service.Dockerfile'),
        '--build-arg',
        `BASE_IMAGE=${baseImage}`,
        '--build-arg',
        `APP=${app}`,
        '--build-arg',
        `VERSION=${version}`,
        '--build-arg',
        `PORT=${DEFAULT_PORTS[app]}`,
        '-t',
        image,
        '-t',
        `herd/${app}:latest`,
        stage,
      ],
      { step: `docker build ${app}`, logFile, progress, heartbeatMs: 30_000 },
    );
    rmSync(stage, { recursive: true, force: true });
    const bytes = Number(await dockerProbe(['image', 'inspect', '--format', '{{.Size}}', image]));
    progress('images', `${image}: ${(bytes / 1e6).toFixed(0)} MB`);
    built.push({ app, image, baseImage, bytes });
  }
  return built;
}

/** `npm ci --omit=dev` once per package-lock.json, kept in the cache. */
async function productionModules({ paths, progress }: InfraContext): Promise<string> {
  const lock = readFileSync(join(REPO_ROOT, 'package-lock.json'));
  const key = createHash('sha256').update(lock).digest('hex').slice(0, 16);
  const dir = join(paths.cacheDir, 'prod-node-modules', key);
  const modules = join(dir, 'node_modules');
  if (existsSync(join(dir, '.complete'))) return modules;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  cpSync(join(REPO_ROOT, 'package.json'), join(dir, 'package.json'));
  cpSync(join(REPO_ROOT, 'package-lock.json'), join(dir, 'package-lock.json'));
  progress('images', `installing production dependencies into ${dir} (once per lock file)`);
  await runLogged('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund'], {
    step: 'images npm ci --omit=dev',
    logFile: join(dir, 'npm.log'),
    cwd: dir,
    progress,
    heartbeatMs: 30_000,
  });
  // Native build leftovers are not needed at run time.
  for (const leftover of [
    'build/Release/obj.target',
    'build/Release/.deps',
    'build/deps',
    'deps',
    'src',
  ]) {
    rmSync(join(modules, 'better-sqlite3', leftover), { recursive: true, force: true });
  }
  writeFileSync(join(dir, '.complete'), new Date().toISOString());
  return modules;
}

/** Hard links when cache and state share a file system (instant), a copy otherwise. */
function linkTree(source: string, target: string): void {
  try {
    execFileSync('cp', ['-al', source, target]);
  } catch {
    rmSync(target, { recursive: true, force: true });
    cpSync(source, target, { recursive: true });
  }
}
