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

/**
 * (1) Each service image's size minus its base image (what the service adds: runtime tree, tini,
 * its Debian packages), baseline the base itself. (2) The idle RSS of each service's node process,
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
  for (const image of built) {
    metrics.push(
      benchMetric(
        `${image.app} image minus base`,
        (image.bytes - baseBytes) / MB,
        'MB',
        baseBytes / MB,
        '<= 80 MB',
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
