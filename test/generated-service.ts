import { execFile } from 'node:child_process';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import {
  BuiltImage,
  InfraPaths,
  ServiceContainer,
  StartedServiceContainer,
  buildServiceImages,
  eventually,
  freePort,
  herdInfraEnv,
} from '@herd/testing';
import { recreateServiceDatabase } from './service-databases';

const exec = promisify(execFile);
const REPO_ROOT = resolve(__dirname, '..');

/**
 * A temporary copy of this checkout (tracked and new files, node_modules linked), where a service
 * can be generated, built into an image and booted without touching the repository.
 */
export class RepositoryCopy {
  private constructor(readonly root: string) {}

  static async create(): Promise<RepositoryCopy> {
    const root = await mkdtemp(join(tmpdir(), 'herd-repo-copy-'));
    const files = (
      await exec('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
        cwd: REPO_ROOT,
        maxBuffer: 64 << 20,
      })
    ).stdout;
    await exec(
      'sh',
      [
        '-c',
        `cd "${REPO_ROOT}" && printf '%s' "$FILES" | tar -c --ignore-failed-read -T - 2>/dev/null | tar -x -C "${root}"`,
      ],
      { env: { ...process.env, FILES: files }, maxBuffer: 64 << 20 },
    );
    await symlink(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'));
    return new RepositoryCopy(root);
  }

  /** `npm run generate -- service <name>`, as a user types it. */
  async generate(name: string): Promise<string> {
    return (await exec('npm', ['run', '-s', 'generate', '--', 'service', name], { cwd: this.root }))
      .stdout;
  }

  async buildImage(name: string, paths: InfraPaths): Promise<BuiltImage> {
    const [built] = await buildServiceImages(
      [name],
      { paths, progress: () => undefined },
      this.root,
    );
    return built as BuiltImage;
  }

  async remove(): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
  }
}

/**
 * Boots a generated service's image on the real servers (its own database made beforehand, as
 * an operator would) and waits until Consul lists the instance passing and /health/ready is 200.
 */
export async function bootRegistered(
  name: string,
  image: string,
): Promise<{ started: StartedServiceContainer; instance: string }> {
  const infra = herdInfraEnv();
  const instance = `${name}-${Date.now()}`;
  const started = await new ServiceContainer(image, await freePort())
    .withEnvironment({
      [`${name.replace(/-/g, '_').toUpperCase()}_DATABASE_URL`]: await recreateServiceDatabase(
        infra.postgresUrl,
        name.replace(/-/g, '_'),
      ),
      HERD_KAFKA_BROKERS: infra.kafkaBrokers.join(','),
      HERD_CONSUL_URL: infra.consulUrl,
      HERD_INSTANCE_ID: instance,
    })
    .startService();
  await eventually(
    `${instance} passing in Consul`,
    async () => {
      const passing = (await (
        await fetch(`${infra.consulUrl}/v1/health/service/${name}?passing=true`)
      ).json()) as Array<{ Service: { ID: string } }>;
      return passing.some((entry) => entry.Service.ID === instance) ? true : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 250 },
  );
  return { started, instance };
}
