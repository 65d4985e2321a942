import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildServiceSpec } from '@herd/swarm';
import { loadShepherdConfig } from '../../../shepherd/src/config/shepherd-config';
import { SWARM_STACK_FILE, herdShepherdMember, renderHerdStack } from './herd-swarm-stack';

const ROOT = resolve(__dirname, '..', '..', '..', '..');

describe('docker/swarm/herd.stack.yml', () => {
  it('is what the manifests generate (run: npm run ranch -- stack)', () => {
    expect(readFileSync(join(ROOT, SWARM_STACK_FILE), 'utf8')).toBe(renderHerdStack());
  });

  it('leaves the shepherd out: a stack file cannot give it the socket’s group', () => {
    expect(renderHerdStack()).not.toMatch(/shepherd/);
  });
});

describe('herdShepherdMember', () => {
  const member = herdShepherdMember(
    { stack: 't1', replicas: 3, env: { HERD_CONSUL_URL: 'http://127.0.0.1:58530' } },
    { gid: 106, hostPath: '/var/run/docker.sock' },
  );
  const spec = buildServiceSpec(member.manifest, member.options);
  const env = Object.fromEntries(
    (spec.TaskTemplate.ContainerSpec.Env ?? []).map((entry) => entry.split(/=(.*)/s, 2)),
  );

  it('runs one shepherd whatever the herd’s replica count, in the herd’s stack', () => {
    expect(spec.Name).toBe('t1_shepherd');
    expect(spec.Mode.Replicated.Replicas).toBe(1);
  });

  it('scales the same stack on the swarm, through the socket, with the herd’s servers', () => {
    expect(env).toMatchObject({
      SHEPHERD_TARGET: 'swarm',
      SHEPHERD_SWARM_STACK: 't1',
      HERD_CONSUL_URL: 'http://127.0.0.1:58530',
      SHEPHERD_DATABASE_URL_FILE: '/run/secrets/herd-shepherd-database-url',
    });
    expect(spec.TaskTemplate.ContainerSpec.Groups).toEqual(['106']);
    expect(spec.TaskTemplate.ContainerSpec.Mounts).toContainEqual(
      expect.objectContaining({ Source: '/var/run/docker.sock', ReadOnly: false }),
    );
    // What the shepherd reads of that env: the swarm target on the stack's services.
    expect(loadShepherdConfig(env).target).toEqual({ kind: 'swarm', stack: 't1' });
  });
});
