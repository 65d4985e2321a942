import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, copyFile, cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { InfraContext } from './infra-server';
import { PROMETHEUS_VERSION } from './infra.constants';

/** The Go module of Prometheus; v0.54.1 is release 2.54.1. */
const MODULE = 'github.com/prometheus/prometheus';
const MODULE_VERSION = 'v0.54.1';

export interface PrometheusBinaries {
  readonly prometheus: string;
  readonly promtool: string;
}

/**
 * Debian's `prometheus` package is built without Consul service discovery ("Disable Consul SD
 * until its Debian package is back in shape", its changelog), so `consul_sd_configs` does not
 * parse there. This builds the upstream server and promtool once from the Go module proxy into
 * the shared cache (~/.cache/herd/prometheus-<version>), the way the infra builds Consul: the
 * module has `replace` directives, so `go install` refuses it and its source is built in place.
 */
export async function upstreamPrometheus(context: InfraContext): Promise<PrometheusBinaries> {
  const log = (line: string) => context.progress('prometheus', line);
  const dir = join(context.paths.cacheDir, `prometheus-${PROMETHEUS_VERSION}`);
  const binaries = { prometheus: join(dir, 'prometheus'), promtool: join(dir, 'promtool') };
  if (existsSync(binaries.prometheus) && existsSync(binaries.promtool)) return binaries;
  const run = promisify(execFile);
  const env = { ...process.env, GOFLAGS: '-mod=mod' };
  log(`${PROMETHEUS_VERSION}: downloading ${MODULE}@${MODULE_VERSION} from the Go module proxy`);
  const { stdout } = await run('go', ['mod', 'download', '-json', `${MODULE}@${MODULE_VERSION}`], {
    env,
    maxBuffer: 1 << 24,
  });
  const source = (JSON.parse(stdout) as { Dir: string }).Dir;
  const work = await mkdtemp(join(tmpdir(), 'herd-prometheus-build-'));
  try {
    await cp(source, work, { recursive: true });
    await run('chmod', ['-R', 'u+w', work]);
    await mkdir(dir, { recursive: true });
    for (const tool of ['prometheus', 'promtool'] as const) {
      log(`${PROMETHEUS_VERSION}: building ${tool} (a few minutes on 2 cores)`);
      const out = join(work, `${tool}.bin`);
      await run('go', ['build', '-o', out, `./cmd/${tool}`], {
        cwd: work,
        env,
        maxBuffer: 1 << 24,
      });
      // copied, not renamed: the temporary folder may be another file system
      await copyFile(out, `${binaries[tool]}.partial`);
      await chmod(`${binaries[tool]}.partial`, 0o755);
      await run('mv', [`${binaries[tool]}.partial`, binaries[tool]]);
    }
    log(`${PROMETHEUS_VERSION}: built into ${dir}`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return binaries;
}
