import { setTimeout as sleep } from 'node:timers/promises';
import { GenericContainer } from 'testcontainers';
import {
  BenchMetric,
  BenchScenario,
  SERVICE_CONTAINER_LIMITS,
  ServiceContainer,
  benchMetric,
  buildServiceImages,
  consoleProgress,
  dockerProbe,
  freePort,
  herdInfraEnv,
  resolveInfraPaths,
} from '@herd/testing';
import { recreateServiceDatabase } from '../test/service-databases';

/** How long a booted service sits without traffic before its RSS is read. */
const IDLE_MS = 15_000;
const MB = 1e6;

/** The runtime stage's layer that installs the Debian packages (docker/service.Dockerfile). */
async function systemPackagesLayerBytes(
  image: string,
): Promise<{ bytes: number; createdBy: string }> {
  const history = await dockerProbe([
    'history',
    '--no-trunc',
    '--human=false',
    '--format',
    '{{.Size}}\t{{.CreatedBy}}',
    image,
  ]);
  const layers = (history ?? '')
    .split('\n')
    .map((line) => line.split('\t'))
    .filter(
      ([, createdBy]) => createdBy?.includes('SYSTEM_PACKAGES=') && createdBy.includes('apt-get'),
    );
  if (layers.length !== 1)
    throw new Error(`${image}: expected one Debian packages layer, found ${layers.length}`);
  const [[size, createdBy]] = layers as [[string, string]];
  return { bytes: Number(size), createdBy };
}

/**
 * (1) Each service image's size minus its base image and the Debian packages layer that services
 * needing the same packages share (what the service itself adds: its runtime tree), baseline the
 * base itself; the shared layer reported apart. (2) The idle RSS of each service's node process,
 * booted on the real servers in its image, limited as in production; baseline an idle
 * `node -e setInterval` in the same base image.
 */
const scenario: BenchScenario = async (progress) => {
  const built = await buildServiceImages(['courseware', 'codec'], {
    paths: resolveInfraPaths(),
    progress: consoleProgress,
  });
  const metrics: BenchMetric[] = [];
  const baseImage = built[0]?.baseImage as string;
  const baseBytes = Number(
    await dockerProbe(['image', 'inspect', '--format', '{{.Size}}', baseImage]),
  );
  const sharedLayers = new Map<string, number>();
  for (const image of built) {
    const packages = await systemPackagesLayerBytes(image.id);
    sharedLayers.set(packages.createdBy, packages.bytes);
    metrics.push(
      benchMetric(
        `${image.app} image minus base and shared packages layer`,
        (image.bytes - baseBytes - packages.bytes) / MB,
        'MB',
        baseBytes / MB,
        '<= 80 MB',
      ),
    );
  }
  // Services that need the same Debian packages (ffmpeg for courseware and codec) share one layer:
  // a node stores it once, whatever the number of services.
  for (const bytes of sharedLayers.values()) {
    metrics.push(
      benchMetric(
        'shared Debian packages layer (tini, ffmpeg)',
        bytes / MB,
        'MB',
        baseBytes / MB,
        "reported: Debian's ffmpeg, one copy per node",
      ),
    );
  }

  progress('idle baseline: node -e setInterval in the base image');
  const bare = await new GenericContainer(baseImage)
    .withCommand(['node', '-e', 'setInterval(() => {}, 1000)'])
    .withResourcesQuota(SERVICE_CONTAINER_LIMITS)
    .start();
  await sleep(IDLE_MS);
  const bareRss =
    Number((await bare.exec(['sh', '-c', 'grep VmRSS /proc/1/status'])).output.replace(/\D/g, '')) *
    1024;
  await bare.stop();

  const infra = herdInfraEnv();
  const servers = {
    HERD_KAFKA_BROKERS: infra.kafkaBrokers.join(','),
    HERD_CONSUL_URL: infra.consulUrl,
  };
  for (const image of built) {
    const port = await freePort();
    progress(`booting ${image.image} on the real servers (port ${port})`);
    const started = await new ServiceContainer(image.id, port)
      .withEnvironment({
        ...servers,
        [`${image.app.toUpperCase()}_DATABASE_URL`]: await recreateServiceDatabase(
          infra.postgresUrl,
          image.app,
        ),
        CODEC_MEDIA_DIR: '/data/media',
        HERD_INSTANCE_ID: `${image.app}-bench-images`,
      })
      .startService();
    try {
      progress(`${image.app} ready; idle for ${IDLE_MS / 1000} s`);
      await sleep(IDLE_MS);
      metrics.push(
        benchMetric(
          `${image.app} idle RSS`,
          (await started.nodeRssBytes()) / MB,
          'MB',
          bareRss / MB,
          '<= 90 MB',
        ),
      );
    } finally {
      await started.container.stop({ timeout: 30_000 });
    }
  }
  return metrics;
};

export default scenario;
