import { MarathonClient, buildAppDefinition } from '@herd/marathon';
import { eventually } from '@herd/testing';
import { MarathonDouble } from '../../../../../libs/marathon/test/marathon-double';
import { codecManifest } from '../../../../codec/src/codec.manifest';
import { MarathonScalingTarget } from './marathon-scaling-target';

/** Against @herd/marathon's Marathon test double (a double, not Marathon: see its README). */
describe('MarathonScalingTarget', () => {
  // Slow rollouts: a status read right after a change must still see its deployment on a busy machine.
  const double = new MarathonDouble({ taskStartMs: 3_000, healthyAfterMs: 1_000 });
  let target: MarathonScalingTarget;

  beforeAll(async () => {
    const client = new MarathonClient({ url: await double.start() });
    target = new MarathonScalingTarget(client);
    await client.createApp(buildAppDefinition(codecManifest));
  });

  afterAll(() => double.stop());

  it('reports the count and the deployment in flight, then scales', async () => {
    expect(await target.status('codec')).toEqual({ instances: 2, inFlight: true });
    await eventually('codec deployed', async () =>
      (await target.status('codec'))?.inFlight === false ? true : undefined,
    );
    await target.scaleTo('codec', 3);
    expect(await target.status('codec')).toEqual({ instances: 3, inFlight: true });
    await eventually('codec scaled', async () =>
      (await target.status('codec'))?.inFlight === false ? true : undefined,
    );
    expect(double.requests).toContainEqual({ method: 'PUT', path: '/v2/apps/herd/codec' });
  }, 60_000);

  it('says when the target has no such app', async () => {
    expect(await target.status('nobody')).toBeUndefined();
  });

  it('names the target without credentials', () => {
    const withSecret = new MarathonScalingTarget(
      new MarathonClient({ url: 'http://ops:s3cret@127.0.0.1:8080' }),
    );
    expect(withSecret.description).toBe('Marathon at http://127.0.0.1:8080');
  });
});
