import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { defineServiceManifest } from '@herd/manifest';
import { eventually } from '@herd/testing';
import { DockerEngineClient } from '../engine/docker-engine.client';
import { SwarmServiceSpec } from '../engine/engine-api.interface';
import { ensureSwarm } from '../engine/ensure-swarm';
import { buildServiceSpec, swarmSecretNeeds } from './build-service-spec';
import { renderSwarmStack } from './render-swarm-stack';

const run = promisify(execFile);

/**
 * The rendered stack file is what `docker stack deploy` (Docker 20.10) accepts and turns into the
 * very ServiceSpec the Engine API path creates: nothing of update/rollback config, health check,
 * limits, secrets, mounts or capabilities is dropped on the way. Replicas 0: no task runs.
 */
describe('renderSwarmStack through docker stack deploy', () => {
  const client = new DockerEngineClient();
  const stack = `herdtest${randomUUID().slice(0, 8)}`;
  const manifest = defineServiceManifest({
    name: 'inventory',
    version: '2.3.4',
    ports: [{ name: 'http', containerPort: 3100 }],
    env: {
      NODE_ENV: 'production',
      HERD_CONSUL_URL: 'http://consul.service.consul:8500',
      INVENTORY_DATABASE_URL: { secret: 'herd/inventory/database-url' },
    },
    volumes: [{ containerPath: '/srv/data', hostPath: '/tmp', mode: 'RO' }],
  });
  const options = { stack, replicas: 0, secretPrefix: `${stack}-` };
  const secrets = swarmSecretNeeds(manifest, options);

  beforeAll(async () => {
    await ensureSwarm(client);
    for (const secret of secrets) await client.createSecret(secret.name, 'unused');
  });

  afterAll(async () => {
    await run('docker', ['stack', 'rm', stack]).catch(() => undefined);
    for (const secret of secrets) {
      await eventually(`secret ${secret.name} removed`, () =>
        client.removeSecret(secret.name).then(() => true),
      );
    }
  });

  it('deploys as the same ServiceSpec buildServiceSpec gives the Engine API', async () => {
    const expected = buildServiceSpec(manifest, options);
    const dir = await mkdtemp(join(tmpdir(), 'herd-stack-'));
    const file = join(dir, 'stack.yml');
    await writeFile(file, renderSwarmStack([expected]));
    await run('docker', ['stack', 'deploy', '--compose-file', file, stack], {
      env: { ...process.env, HERD_CONSUL_URL: '', HERD_BIND_HOST: '' },
    });
    const deployed = await client.inspectService(`${stack}_inventory`);
    expect(deployed.Spec).toMatchObject(comparable(expected));
    const [network] = deployed.Spec.TaskTemplate.Networks ?? [];
    const networkName = await run('docker', [
      'network',
      'inspect',
      '--format',
      '{{.Name}}',
      network?.Target ?? '',
    ]);
    expect(networkName.stdout.trim()).toBe('host');
    expect(deployed.Spec.TaskTemplate.ContainerSpec.CapabilityDrop).toEqual(['ALL']);
  });
});

/**
 * What `docker stack deploy` resolves or leaves out on its way to the same spec: a zero delay is
 * not written, the network is named by its swarm id (checked by name above).
 */
function comparable(spec: SwarmServiceSpec): object {
  const zeroDelay = <T extends { Delay: number }>({ Delay, ...rest }: T) =>
    Delay === 0 ? rest : { Delay, ...rest };
  const { Networks: _networks, ...template } = spec.TaskTemplate;
  return {
    ...spec,
    UpdateConfig: spec.UpdateConfig && zeroDelay(spec.UpdateConfig),
    RollbackConfig: spec.RollbackConfig && zeroDelay(spec.RollbackConfig),
    TaskTemplate: template,
  };
}
