import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ConsulServer } from '../infra/consul.server';
import { resolveInfraPorts } from '../infra/infra';
import { CONSUL_VERSION, KAFKA_VERSION, PROMETHEUS_VERSION } from '../infra/infra.constants';
import { InfraContext } from '../infra/infra-server';
import { KafkaServer } from '../infra/kafka.server';
import { runLogged } from '../infra/processes';
import { upstreamPrometheus } from '../infra/upstream-prometheus';
import { LOCAL_DEBIAN_IMAGE, REPO_ROOT, ensureLocalDebianImage } from './base-images';
import { imageExists } from './docker-cli';
import { ensureDockerEngine } from './docker-engine';

const INFRA_DIR = join(REPO_ROOT, 'docker', 'infra');

/** docker/compose.yml's variables naming its infra images, set to the locally built ones. */
export interface LocalInfraImages {
  readonly HERD_CONSUL_IMAGE: string;
  readonly HERD_KAFKA_IMAGE: string;
  readonly HERD_POSTGRES_IMAGE: string;
  readonly HERD_PROMETHEUS_IMAGE: string;
}

/**
 * Consul, Kafka, PostgreSQL and Prometheus images for docker/compose.yml on a machine without a
 * registry, made from the same artifacts `npm run infra` provisions: the cached Consul binary, the
 * cached Kafka jars (with Debian's Java) and Debian's PostgreSQL, and the cached upstream
 * Prometheus (built from the Go module proxy once: Debian's lacks Consul discovery), on the
 * locally imported Debian base. Each is built once per version and reused.
 */
export async function buildLocalInfraImages(context: InfraContext): Promise<LocalInfraImages> {
  const { paths, progress } = context;
  await ensureDockerEngine(context);
  await ensureLocalDebianImage(context);
  const ports = resolveInfraPorts();
  // The tag names the recipe too, so a changed Dockerfile or script is rebuilt, not reused.
  const recipe = (name: string) =>
    createHash('sha256')
      .update(
        readdirSync(INFRA_DIR)
          .filter((file) => file.startsWith(name))
          .map((file) => readFileSync(join(INFRA_DIR, file), 'utf8'))
          .join('\0'),
      )
      .digest('hex')
      .slice(0, 8);
  const images = {
    HERD_CONSUL_IMAGE: `herd/consul:${CONSUL_VERSION}-${recipe('consul')}`,
    HERD_KAFKA_IMAGE: `herd/kafka:${KAFKA_VERSION}-${recipe('kafka')}`,
    HERD_POSTGRES_IMAGE: `herd/postgres:15-${recipe('postgres')}`,
    HERD_PROMETHEUS_IMAGE: `herd/prometheus:${PROMETHEUS_VERSION}-${recipe('prometheus')}`,
  };
  const build = async (
    name: string,
    image: string,
    artifacts: () => Promise<[string, string][]>,
  ) => {
    if (await imageExists(image)) return;
    const dir = join(paths.stateDir, 'images', `${name}-context`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    for (const [source, target] of await artifacts()) {
      cpSync(source, join(dir, target), { recursive: true, dereference: true });
    }
    progress('images', `building ${image} on ${LOCAL_DEBIAN_IMAGE}`);
    await runLogged(
      'docker',
      [
        'build',
        '-f',
        join(INFRA_DIR, `${name}.Dockerfile`),
        '--build-arg',
        `DEBIAN_IMAGE=${LOCAL_DEBIAN_IMAGE}`,
        '-t',
        image,
        dir,
      ],
      {
        step: `docker build ${name}`,
        logFile: join(paths.stateDir, 'images', `${name}.log`),
        progress,
        heartbeatMs: 30_000,
      },
    );
    rmSync(dir, { recursive: true, force: true });
  };
  const scripts = (...names: string[]): [string, string][] =>
    names.map((script) => [join(INFRA_DIR, script), script]);
  await build('consul', images.HERD_CONSUL_IMAGE, async () => [
    [await new ConsulServer(ports).ensureBinary(paths, progress), 'consul'],
  ]);
  await build('kafka', images.HERD_KAFKA_IMAGE, async () => [
    [await new KafkaServer(ports).ensureJars(paths, progress), 'libs'],
    ...scripts('kafka-run.sh', 'kafka-broker-api-versions.sh'),
  ]);
  await build('postgres', images.HERD_POSTGRES_IMAGE, async () => scripts('postgres-run.sh'));
  await build('prometheus', images.HERD_PROMETHEUS_IMAGE, async () => [
    [(await upstreamPrometheus(context)).prometheus, 'prometheus'],
  ]);
  return images;
}
