import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { StartedServiceContainer, herdInfraEnv, resolveInfraPaths } from '@herd/testing';
import { RepositoryCopy, bootRegistered } from './generated-service';

const exec = promisify(execFile);

/**
 * The generator end to end, in a temporary copy of the repository: `npm run generate -- service`,
 * the generated service's own tests (its integration test on the real servers, migration
 * included) and the CLI's drift tests (its Marathon definition and Swarm stack entry are what the
 * builders make of its manifest), its image built from its docker/images.json entry, booted,
 * registered in Consul.
 */
describe('npm run generate -- service (temporary copy of the repository)', () => {
  const name = `gen${Date.now().toString(36)}`;
  let copy: RepositoryCopy;
  let started: StartedServiceContainer | undefined;

  beforeAll(async () => {
    copy = await RepositoryCopy.create();
    await copy.generate(name);
  }, 120_000);

  afterAll(async () => {
    await started?.container.stop();
    await copy?.remove();
  });

  it('passes its own unit and integration tests on the real servers, and the Marathon and Swarm drift tests', async () => {
    const infra = herdInfraEnv();
    const drift = [
      'apps/cli/src/herd-definitions.spec.ts',
      'apps/cli/src/swarm/herd-swarm-stack.spec.ts',
    ];
    const run = await exec('npx', ['jest', `apps/${name}/`, ...drift], {
      cwd: copy.root,
      env: {
        ...process.env,
        HERD_POSTGRES_URL: infra.postgresUrl,
        HERD_KAFKA_BROKERS: infra.kafkaBrokers.join(','),
        HERD_CONSUL_URL: infra.consulUrl,
      },
      maxBuffer: 16 << 20,
    }).catch((error: { stdout: string; stderr: string }) => error);
    const output = `${run.stdout}\n${run.stderr}`;
    expect(output).toMatch(/tests: [1-9]\d* passed, 0 failed, 0 skipped/);
    expect(output).toContain(`PASS integration apps/${name}/src/${name}.int-spec.ts`);
    expect(output).toContain('PASS unit apps/cli/src/herd-definitions.spec.ts');
    expect(output).toContain('PASS unit apps/cli/src/swarm/herd-swarm-stack.spec.ts');
  }, 600_000);

  it('gets an image entry, a free port and a Marathon definition', async () => {
    const images = JSON.parse(
      await readFile(join(copy.root, 'docker', 'images.json'), 'utf8'),
    ) as Record<string, { port: number }>;
    const ports = Object.values(images).map((entry) => entry.port);
    expect(images[name]?.port).toBeGreaterThanOrEqual(3100);
    expect(new Set(ports).size).toBe(ports.length);
    const app = JSON.parse(
      await readFile(join(copy.root, 'docker', 'marathon', `${name}.json`), 'utf8'),
    ) as { container: { docker: { image: string } } };
    expect(app.container.docker.image).toBe(`herd/${name}:0.1.0`);
  });

  it('builds into an image that boots on the real servers, registers in Consul and turns ready', async () => {
    const image = await copy.buildImage(name, resolveInfraPaths());
    const booted = await bootRegistered(name, image.image);
    started = booted.started;
    expect((await fetch(`http://127.0.0.1:${booted.started.port}/health/ready`)).status).toBe(200);
  }, 900_000);
});
