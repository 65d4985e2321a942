import { randomBytes } from 'node:crypto';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { BenchScenario, benchMetric, herdInfraEnv, percentile } from '@herd/testing';
import { ConsulServiceRegistry, validateRegistryOptions } from '@herd/registry';

/**
 * Against the shared Consul agent: (1) resolve() from the watched cache vs the same question asked
 * to Consul directly (GET /v1/health/service/:name?passing), sequential calls for WINDOW_MS each;
 * (2) propagation: an instance's readiness turns 503 and we time until resolve() no longer
 * returns it, TRIALS times, with a 1 s HTTP check interval.
 */
const WINDOW_MS = 3000;
const TRIALS = 20;
const CHECK_INTERVAL_MS = 1000;

interface Instance {
  server: Server;
  registry: ConsulServiceRegistry;
  id: string;
  ready: boolean;
}

const scenario: BenchScenario = async (progress) => {
  const { consulUrl } = herdInfraEnv();
  const service = `herd-bench-${randomBytes(4).toString('hex')}`;
  const instances: Instance[] = [];
  const observer = new ConsulServiceRegistry(
    validateRegistryOptions({
      service: { name: `${service}-observer`, version: '1.0.0' },
      consul: { url: consulUrl },
      discovery: { blockingWaitMs: 30_000 },
    }),
  );

  try {
    for (let i = 0; i < 3; i += 1) instances.push(await startInstance(service, i, consulUrl));
    progress(`registered 3 instances of ${service}; waiting for them to pass`);
    await until(async () => (await observer.resolve(service).catch(() => [])).length === 3, 20_000);

    progress(`cached resolve() for ${WINDOW_MS} ms`);
    const cached = await opsPerSecond(() => observer.resolve(service));
    progress(`direct Consul health query for ${WINDOW_MS} ms`);
    const healthUrl = new URL(`/v1/health/service/${service}?passing=true`, consulUrl);
    const direct = await opsPerSecond(async () => {
      const response = await fetch(healthUrl);
      await response.json();
    });

    const latencies: number[] = [];
    const target = instances[0];
    for (let trial = 1; trial <= TRIALS; trial += 1) {
      // Start at a random point of the check cycle, as a real failure would.
      await sleep(Math.random() * CHECK_INTERVAL_MS);
      target.ready = false;
      const started = performance.now();
      await until(async () => !(await ids(observer, service)).includes(target.id), 15_000, 2);
      latencies.push(performance.now() - started);
      target.ready = true;
      await until(async () => (await ids(observer, service)).includes(target.id), 15_000);
      progress(
        `propagation trial ${trial}/${TRIALS}: ${latencies[latencies.length - 1].toFixed(0)} ms`,
      );
    }
    latencies.sort((a, b) => a - b);
    const budget = CHECK_INTERVAL_MS + 500;
    return [
      benchMetric(
        'resolve() cached',
        cached,
        'ops/s',
        direct,
        '>= 100x direct Consul health query',
      ),
      benchMetric('direct Consul health query', direct, 'ops/s', null, 'baseline'),
      benchMetric(
        'critical -> gone from resolve p50',
        percentile(latencies, 50),
        'ms',
        null,
        'informative',
      ),
      benchMetric(
        'critical -> gone from resolve p99',
        percentile(latencies, 99),
        'ms',
        null,
        `<= ${budget} ms`,
      ),
    ];
  } finally {
    await observer.close();
    for (const instance of instances) {
      await instance.registry.close();
      await new Promise((resolve) => instance.server.close(resolve));
    }
  }
};

async function startInstance(service: string, index: number, consulUrl: string): Promise<Instance> {
  const instance = { ready: true } as Instance;
  instance.server = createServer((_req, res) => {
    res.statusCode = instance.ready ? 200 : 503;
    res.end();
  });
  await new Promise<void>((resolve) => instance.server.listen(0, '127.0.0.1', resolve));
  const port = (instance.server.address() as AddressInfo).port;
  const options = validateRegistryOptions({
    service: {
      name: service,
      version: '1.0.0',
      id: `${service}-${index}`,
      address: '127.0.0.1',
      port,
    },
    consul: { url: consulUrl },
    checks: { intervalMs: CHECK_INTERVAL_MS, timeoutMs: 500 },
  });
  instance.id = options.service.id;
  instance.registry = new ConsulServiceRegistry(options);
  await instance.registry.register({ ...options.service, port });
  return instance;
}

async function opsPerSecond(operation: () => Promise<unknown>): Promise<number> {
  let count = 0;
  const started = performance.now();
  while (performance.now() - started < WINDOW_MS) {
    await operation();
    count += 1;
  }
  return count / ((performance.now() - started) / 1000);
}

async function ids(registry: ConsulServiceRegistry, service: string): Promise<string[]> {
  return (await registry.resolve(service).catch(() => [])).map((i) => i.id);
}

async function until(
  probe: () => Promise<boolean>,
  timeoutMs: number,
  everyMs = 20,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}

export default scenario;
