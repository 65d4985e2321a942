import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InfraStepError } from '../infra/infra-error';
import { InfraContext } from '../infra/infra-server';
import { runLogged } from '../infra/processes';
import { dockerProbe } from './docker-cli';
import { REPO_ROOT, resolveNodeBaseImage } from './base-images';
import { ensureDockerEngine } from './docker-engine';

/** What `docker/images.json` says about one service's image. */
export interface ServiceImageSpec {
  /** The port the image's PORT defaults to (and its HEALTHCHECK calls). */
  readonly port: number;
  /** Debian packages installed in the runtime stage, e.g. ffmpeg for codec. */
  readonly systemPackages: readonly string[];
}

export interface BuiltImage {
  readonly app: string;
  readonly image: string;
  /**
   * The image this build made. Tags are shared by everyone on one engine (another checkout may
   * retag `herd/<app>:<version>` a moment later): tests run this id, not the tag.
   */
  readonly id: string;
  readonly baseImage: string;
  readonly bytes: number;
}

export const SERVICE_IMAGES_FILE = join('docker', 'images.json');
const BUILD_CA_FILE = join('.herd', 'build-ca.pem');

/** The services that have an image, from `docker/images.json` (the generator adds new ones). */
export function serviceImageSpecs(root = REPO_ROOT): Record<string, ServiceImageSpec> {
  return JSON.parse(readFileSync(join(root, SERVICE_IMAGES_FILE), 'utf8')) as Record<
    string,
    ServiceImageSpec
  >;
}

export function serviceImageName(app: string, root = REPO_ROOT): string {
  return `herd/${app}:${packageVersion(root)}`;
}

/**
 * Builds `herd/<app>:<version>` (and `:latest`) from docker/service.Dockerfile with the repository
 * as context: the build stage installs the lock file and compiles inside the image, the runtime
 * stage takes only the traced runtime tree. The Docker layer cache keeps repeat builds short.
 */
export async function buildServiceImages(
  apps: readonly string[],
  context: InfraContext,
  root = REPO_ROOT,
): Promise<BuiltImage[]> {
  const { progress } = context;
  const specs = serviceImageSpecs(root);
  const unknown = apps.filter((app) => !specs[app]);
  if (unknown.length) {
    throw new InfraStepError(
      'images',
      `no entry in ${SERVICE_IMAGES_FILE} for ${unknown.join(', ')} (known: ${Object.keys(specs).join(', ')})`,
    );
  }
  const engine = await ensureDockerEngine(context);
  progress('images', `Docker engine ${engine}`);
  const baseImage = await resolveNodeBaseImage(context);
  const labels = sourceLabels(root);
  writeBuildCa(root);
  const built: BuiltImage[] = [];
  for (const app of apps) {
    const spec = specs[app] as ServiceImageSpec;
    const image = serviceImageName(app, root);
    const logFile = join(context.paths.stateDir, 'images', `${app}.log`);
    const idFile = join(context.paths.stateDir, 'images', `${app}.id`);
    progress('images', `building ${image} on ${baseImage} (log: ${logFile})`);
    await runLogged(
      'docker',
      [
        'build',
        '-f',
        join(root, 'docker', 'service.Dockerfile'),
        ...buildArgs({
          BASE_IMAGE: baseImage,
          APP: app,
          PORT: String(spec.port),
          SYSTEM_PACKAGES: spec.systemPackages.join(' '),
          VERSION: packageVersion(root),
          ...labels,
        }),
        '--iidfile',
        idFile,
        '-t',
        image,
        '-t',
        `herd/${app}:latest`,
        root,
      ],
      { step: `docker build ${app}`, logFile, progress, heartbeatMs: 30_000 },
    );
    const id = readFileSync(idFile, 'utf8').trim();
    const bytes = Number(await dockerProbe(['image', 'inspect', '--format', '{{.Size}}', id]));
    progress('images', `${image}: ${(bytes / 1e6).toFixed(0)} MB`);
    built.push({ app, image, id, baseImage, bytes });
  }
  return built;
}

/**
 * The build stage's `npm ci` must trust what this machine's Node trusts: the certificates named by
 * NODE_EXTRA_CA_CERTS go into the build context (`.herd/`, ignored by git), or nothing.
 */
function writeBuildCa(root: string, env = process.env): void {
  const extra = env.NODE_EXTRA_CA_CERTS;
  mkdirSync(join(root, '.herd'), { recursive: true });
  writeFileSync(join(root, BUILD_CA_FILE), extra && existsSync(extra) ? readFileSync(extra) : '');
}

function buildArgs(args: Record<string, string>): string[] {
  return Object.entries(args).flatMap(([key, value]) => ['--build-arg', `${key}=${value}`]);
}

function packageVersion(root: string): string {
  return (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string })
    .version;
}

/** OCI source and revision: the checkout's remote (or its path) and commit, "-dirty" if changed. */
function sourceLabels(root: string): { SOURCE: string; REVISION: string } {
  const git = (...args: string[]) => {
    try {
      return execFileSync('git', ['-C', root, ...args], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
    } catch {
      return '';
    }
  };
  const commit = git('rev-parse', 'HEAD');
  const dirty = commit && git('status', '--porcelain', '--untracked-files=no') ? '-dirty' : '';
  return {
    SOURCE: git('remote', 'get-url', 'origin') || `file://${root}`,
    REVISION: commit ? `${commit}${dirty}` : 'unknown',
  };
}
