import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, copyFile, cp, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { imageExists } from '@herd/testing';

/** Apache-2.0; the module version of Prometheus 2.54.1. */
const MODULE = 'github.com/prometheus/prometheus';
const MODULE_VERSION = 'v0.54.1';
const RELEASE = '2.54.1';

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
export async function upstreamPrometheus(
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<PrometheusBinaries> {
  const dir = join(
    process.env.HERD_CACHE_DIR ?? join(homedir(), '.cache', 'herd'),
    `prometheus-${RELEASE}`,
  );
  const binaries = { prometheus: join(dir, 'prometheus'), promtool: join(dir, 'promtool') };
  if (existsSync(binaries.prometheus) && existsSync(binaries.promtool)) return binaries;
  const run = promisify(execFile);
  const env = { ...process.env, GOFLAGS: '-mod=mod' };
  log(`prometheus ${RELEASE}: downloading ${MODULE}@${MODULE_VERSION} from the Go module proxy`);
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
      log(`prometheus ${RELEASE}: building ${tool} (a few minutes on 2 cores)`);
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
    log(`prometheus ${RELEASE}: built into ${dir}`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return binaries;
}

const DOCKERFILE = resolve(__dirname, '..', '..', 'docker', 'infra', 'prometheus.Dockerfile');

/**
 * docker/compose.yml's `HERD_PROMETHEUS_IMAGE` on a machine that cannot pull prom/prometheus: the
 * binary above on the local Debian base (`buildLocalInfraImages` imports it first). The tag
 * names the Dockerfile's content, so a changed recipe is rebuilt, not reused.
 */
export async function localPrometheusImage(
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<string> {
  const recipe = createHash('sha256')
    .update(await readFile(DOCKERFILE))
    .digest('hex')
    .slice(0, 8);
  const image = `herd/prometheus:${RELEASE}-${recipe}`;
  if (await imageExists(image)) return image;
  const { prometheus } = await upstreamPrometheus(log);
  const context = await mkdtemp(join(tmpdir(), 'herd-prometheus-image-'));
  try {
    await copyFile(prometheus, join(context, 'prometheus'));
    log(`prometheus ${RELEASE}: building ${image}`);
    await promisify(execFile)('docker', ['build', '-f', DOCKERFILE, '-t', image, context], {
      maxBuffer: 1 << 24,
    });
  } finally {
    await rm(context, { recursive: true, force: true });
  }
  return image;
}
