import { ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { INestApplication } from '@nestjs/common';
import { loadServiceConfig, startService } from '@herd/service';
import {
  PrometheusBinaries,
  consoleProgress,
  eventually,
  freePort,
  herdInfraEnv,
  resolveInfraPaths,
  upstreamPrometheus,
} from '@herd/testing';
import { loadShepherdConfig } from '../../apps/shepherd/src/config/shepherd-config';
import { PrometheusMetricsSource } from '../../apps/shepherd/src/metrics/prometheus-metrics.source';
import { ShepherdModule } from '../../apps/shepherd/src/shepherd.module';
import { activeTargets, passingInstances } from './herd-targets';

const CONFIG = resolve(__dirname, '..', '..', 'docker', 'prometheus', 'prometheus.yml');

/**
 * docker/prometheus/prometheus.yml run by Prometheus against the real Consul: every registered
 * herd member becomes a target, relabelled by service, version and instance. Debian's build has
 * no Consul discovery, so the upstream binary is built from the Go module proxy (see
 * @herd/testing's upstream-prometheus.ts); the test copy of the file only changes the Consul address and
 * shortens the scrape interval.
 */
describe('Prometheus discovering the herd through Consul', () => {
  const infra = herdInfraEnv();
  const run = randomUUID().slice(0, 8);
  const members: INestApplication[] = [];
  let prometheus: ChildProcess;
  let dataDir: string;
  let base: string;
  let log = '';
  let binaries: PrometheusBinaries;

  beforeAll(async () => {
    binaries = await upstreamPrometheus({ paths: resolveInfraPaths(), progress: consoleProgress });
    // Two herd members (shepherds with no policy: any HerdServiceModule service registers alike).
    for (const n of [1, 2]) {
      const env = {
        HERD_CONSUL_URL: infra.consulUrl,
        HOST: '127.0.0.1',
        PORT: '0',
        HERD_INSTANCE_ID: `prom-member-${n}-${run}`,
        HERD_SERVICE_VERSION: `1.${n}.0`,
      };
      const config = loadServiceConfig({ name: 'shepherd', version: '0.0.0', port: 0 }, env);
      const shepherd = loadShepherdConfig({
        SHEPHERD_POLICIES: '[]',
        SHEPHERD_CYCLE_MS: '3600000',
      });
      members.push(
        await startService(
          ShepherdModule.forRoot(config, shepherd, { logging: { level: 'silent' } }),
          config,
        ),
      );
    }
    dataDir = await mkdtemp(join(tmpdir(), 'herd-prometheus-'));
    const consul = new URL(infra.consulUrl);
    const config = (await readFile(CONFIG, 'utf8')).replace(
      'server: consul:8500',
      `server: ${consul.host}`,
    );
    await writeFile(join(dataDir, 'prometheus.yml'), config);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    prometheus = spawn(
      binaries.prometheus,
      [
        `--config.file=${join(dataDir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dataDir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    prometheus.stderr?.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000)));
  }, 1_500_000);

  afterAll(async () => {
    if (prometheus && prometheus.exitCode === null) {
      const exited = once(prometheus, 'exit');
      prometheus.kill('SIGTERM');
      await exited;
    }
    await Promise.all(members.map((app) => app.close()));
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('is a configuration promtool accepts', async () => {
    const { stdout } = await promisify(execFile)(binaries.promtool, ['check', 'config', CONFIG]);
    expect(stdout).toContain('SUCCESS');
  });

  it('discovers every passing registered instance as a target labelled by service, version and instance, and scrapes its members up', async () => {
    const ours = [`prom-member-1-${run}`, `prom-member-2-${run}`];
    const passing = await eventually('both members passing in Consul', async () => {
      const entries = await passingInstances(infra.consulUrl);
      const ids = entries.map((e) => e.Service.ID);
      return ours.every((id) => ids.includes(id)) ? entries : undefined;
    });
    // Suites running beside this one register and leave instances of their own (some without
    // /metrics): each instance passing from the first look to the last must be a target, and
    // this suite's members up.
    const { targets, stable } = await eventually(
      'every passing instance a target, both members up',
      async () => {
        const active = await activeTargets(base);
        const still = new Set((await passingInstances(infra.consulUrl)).map((e) => e.Service.ID));
        const stayed = passing.filter((entry) => still.has(entry.Service.ID));
        const discovered = stayed.every((entry) =>
          active.some((t) => t.labels.instance === entry.Service.ID),
        );
        const up = ours.every((id) =>
          active.some((t) => t.labels.instance === id && t.health === 'up'),
        );
        return discovered && up ? { targets: active, stable: stayed } : undefined;
      },
      {
        timeoutMs: 90_000,
        abortIf: () => (prometheus.exitCode !== null ? `prometheus exited:\n${log}` : undefined),
        explain: async () =>
          JSON.stringify(
            (await activeTargets(base).catch(() => [])).map((t) => [t.labels.instance, t.health]),
          ),
      },
    );
    expect(stable.map((entry) => entry.Service.ID)).toEqual(expect.arrayContaining(ours));
    for (const entry of stable) {
      const target = targets.find((t) => t.labels.instance === entry.Service.ID);
      expect(target?.labels).toMatchObject({
        job: 'herd',
        service: entry.Service.Service,
        version: entry.Service.Meta?.version,
        instance: entry.Service.ID,
      });
    }
    expect(targets.some((t) => t.labels.service === 'consul')).toBe(false);
    const up = await query(base, `up{instance="prom-member-2-${run}"}`);
    // One series: no label follows the Consul check (a changed check would start a second target).
    expect(up).toHaveLength(1);
    expect(up[0].metric).toMatchObject({ service: 'shepherd', version: '1.2.0' });
  }, 120_000);

  it('serves the shepherd its instances’ CPU and memory (SHEPHERD_PROMETHEUS_URL)', async () => {
    const source = new PrometheusMetricsSource(base);
    const id = `prom-member-1-${run}`;
    // CPU is a rate: it needs two scrapes of the instance
    const usage = await eventually(
      'CPU and memory from Prometheus',
      async () => {
        const read = (await source.read([{ id }])).get(id);
        return read?.cpuCores !== undefined && read.memoryBytes !== undefined ? read : undefined;
      },
      { timeoutMs: 60_000 },
    );
    expect(usage.cpuCores).toBeGreaterThanOrEqual(0);
    expect(usage.memoryBytes).toBeGreaterThan(10 * 1024 * 1024);
  }, 90_000);

  it('serves a backlog rule its metric per instance, summed over the series', async () => {
    const source = new PrometheusMetricsSource(base);
    const ids = [`prom-member-1-${run}`, `prom-member-2-${run}`];
    // herd_build_info is 1 per series; both members share this process's register, so each serves
    // one series per member. herd_not_served is nobody's: no figure rather than 0.
    const own = await (await fetch(`${await members[0].getUrl()}/metrics`)).text();
    const series = [...own.matchAll(/^herd_build_info\{/gm)].length;
    expect(series).toBeGreaterThan(0);
    const usage = await source.read(
      ids.map((id) => ({ id })),
      ['herd_build_info', 'herd_not_served'],
    );
    for (const id of ids) {
      expect([...(usage.get(id)?.metrics ?? [])]).toEqual([['herd_build_info', series]]);
    }
  }, 60_000);
});

async function query(
  base: string,
  promql: string,
): Promise<Array<{ metric: Record<string, string> }>> {
  const body = (await (
    await fetch(`${base}/api/v1/query?query=${encodeURIComponent(promql)}`)
  ).json()) as {
    data: { result: Array<{ metric: Record<string, string> }> };
  };
  return body.data.result;
}
