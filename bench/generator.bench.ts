import { performance } from 'node:perf_hooks';
import { BenchMetric, BenchScenario, benchMetric, resolveInfraPaths } from '@herd/testing';
import { RepositoryCopy, bootRegistered } from '../test/generated-service';

/**
 * A new service from nothing to serving, in a temporary copy of the repository: `npm run
 * generate -- service`, its image built (Docker's layer cache warm from earlier builds, as on a
 * developer's machine), booted on the real servers until Consul lists it passing and
 * /health/ready is 200. Baseline: the same image built again with nothing changed.
 */
const scenario: BenchScenario = async (progress) => {
  const name = `bench${Date.now().toString(36)}`;
  const copy = await RepositoryCopy.create();
  const seconds = (since: number) => (performance.now() - since) / 1000;
  try {
    const started = performance.now();
    progress(`generating ${name}`);
    await copy.generate(name);
    const generated = seconds(started);
    progress(`building herd/${name}`);
    const buildStart = performance.now();
    const image = await copy.buildImage(name, resolveInfraPaths());
    const built = seconds(buildStart);
    progress('booting it on the real servers');
    const bootStart = performance.now();
    const { started: container } = await bootRegistered(name, image.image);
    const booted = seconds(bootStart);
    const total = seconds(started);
    await container.container.stop();
    progress('rebuilding the unchanged image (baseline)');
    const rebuildStart = performance.now();
    await copy.buildImage(name, resolveInfraPaths());
    const rebuilt = seconds(rebuildStart);
    const metrics: BenchMetric[] = [
      benchMetric('generate', generated, 's', null, 'part of total'),
      benchMetric('image build', built, 's', rebuilt, 'part of total'),
      benchMetric('boot to registered and ready', booted, 's', null, 'part of total'),
      benchMetric('generate -> built -> registered and ready', total, 's', null, '<= 60 s'),
    ];
    return metrics;
  } finally {
    await copy.remove();
  }
};

export default scenario;
