import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { parsePrometheusText } from './parse-prometheus-text';
import { ScrapeMetricsSource } from './scrape-metrics.source';

const exposition = (
  cpuSeconds: number,
) => `# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.
# TYPE process_cpu_seconds_total counter
process_cpu_seconds_total ${cpuSeconds}
process_resident_memory_bytes 104857600
herd_saga_started_total{saga="publish-courseware"} 7
herd_saga_dead_lettered_total{topic="codec.commands",reason="schema-rejected"} 2
herd_codec_transcode_jobs{state="queued"} 4
herd_codec_transcode_jobs{state="running"} 1
weird line that is not a sample
herd_http_request_duration_seconds_bucket{le="+Inf",route="/a \\"b\\""} 3
`;

describe('parsePrometheusText', () => {
  it('reads samples with labels, escapes and infinities, and skips what is not a sample', () => {
    const samples = parsePrometheusText(exposition(1.5));
    expect(samples.map((s) => s.name)).toEqual([
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'herd_saga_started_total',
      'herd_saga_dead_lettered_total',
      'herd_codec_transcode_jobs',
      'herd_codec_transcode_jobs',
      'herd_http_request_duration_seconds_bucket',
    ]);
    expect(samples[3]).toEqual({
      name: 'herd_saga_dead_lettered_total',
      labels: { topic: 'codec.commands', reason: 'schema-rejected' },
      value: 2,
    });
    expect(samples[6].labels).toEqual({ le: '+Inf', route: '/a "b"' });
  });
});

describe('ScrapeMetricsSource', () => {
  let server: Server;
  let port: number;
  let cpuSeconds = 10;

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url !== '/metrics') return void res.writeHead(404).end();
      res.end(exposition(cpuSeconds));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('gives CPU as the rate between two scrapes, memory at once, and the saga samples', async () => {
    let now = 1_000_000;
    const source = new ScrapeMetricsSource(2_000, () => now);
    const instance = { id: 'codec-1', address: '127.0.0.1', port };
    const first = (await source.read([instance])).get('codec-1');
    expect(first).toMatchObject({ cpuCores: undefined, memoryBytes: 104857600 });
    expect(first?.saga.map((s) => s.name)).toEqual([
      'herd_saga_started_total',
      'herd_saga_dead_lettered_total',
    ]);
    now += 4_000;
    cpuSeconds = 12; // 2 CPU seconds in 4 s: half a core
    expect((await source.read([instance])).get('codec-1')?.cpuCores).toBeCloseTo(0.5);
  });

  it('sums each asked-for metric over its series, and leaves out one the instance does not serve', async () => {
    const source = new ScrapeMetricsSource(2_000);
    const usage = await source.read(
      [{ id: 'codec-1', address: '127.0.0.1', port }],
      ['herd_codec_transcode_jobs', 'herd_not_served'],
    );
    expect([...(usage.get('codec-1')?.metrics ?? [])]).toEqual([['herd_codec_transcode_jobs', 5]]);
  });

  it('leaves an instance that does not answer out, without failing the others', async () => {
    const source = new ScrapeMetricsSource(500);
    const usage = await source.read([
      { id: 'alive', address: '127.0.0.1', port },
      { id: 'gone', address: '127.0.0.1', port: 1 },
    ]);
    expect([...usage.keys()]).toEqual(['alive']);
  });
});
