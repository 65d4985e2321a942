import { setTimeout as sleep } from 'node:timers/promises';
import { defineServiceManifest } from '@herd/manifest';
import { eventually } from '@herd/testing';
import {
  DEPLOYMENT_ID_HEADER,
  MarathonClient,
  MarathonLockedError,
  buildAppDefinition,
} from '../src';
import { MarathonDouble } from './marathon-double';

const app = buildAppDefinition(
  defineServiceManifest({
    name: 'sheep',
    version: '1.0.0',
    ports: [{ name: 'http', containerPort: 3000 }],
    instances: 2,
  }),
);
const broken = {
  ...app,
  container: {
    ...app.container!,
    docker: { ...app.container!.docker, image: 'herd/sheep:broken' },
  },
};

describe('MarathonDouble (a test double of Marathon, not Marathon)', () => {
  let double: MarathonDouble;
  let client: MarathonClient;

  beforeEach(async () => {
    double = new MarathonDouble({
      taskStartMs: 100,
      healthyAfterMs: 100,
      brokenImages: ['herd/sheep:broken'],
    });
    client = new MarathonClient({ url: await double.start() });
  }, 60_000);
  afterEach(() => double.stop());

  const finished = (id: string) =>
    eventually(`deployment ${id} finished`, async () =>
      (await client.listDeployments()).some((d) => d.id === id) ? undefined : true,
    );

  it('names each deployment in the Marathon-Deployment-Id header and ends it only when its tasks are healthy', async () => {
    const response = await fetch(`${double.url}/v2/apps`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(app),
    });
    expect(response.status).toBe(201);
    const id = response.headers.get(DEPLOYMENT_ID_HEADER) as string;
    expect((await client.listDeployments()).map((d) => d.id)).toEqual([id]);
    expect((await client.getApp(app.id)).tasksHealthy).toBe(0);
    await finished(id);
    expect(await client.getApp(app.id)).toMatchObject({ tasksRunning: 2, tasksHealthy: 2 });
    expect(await (await fetch(`${double.url}/v2/info`)).json()).toMatchObject({
      name: 'marathon-double',
    });
  }, 60_000);

  it('never ends a deployment whose tasks fail their health checks, and keeps the old ones serving', async () => {
    await finished((await client.createApp(app)).deploymentId);
    const stuck = await client.updateApp(app.id, broken);
    let lowest = Infinity;
    for (let i = 0; i < 15; i++) {
      const current = await client.getApp(app.id);
      lowest = Math.min(lowest, current.tasksHealthy);
      await sleep(100);
    }
    expect((await client.listDeployments()).map((d) => d.id)).toEqual([stuck.deploymentId]);
    expect(lowest).toBe(2);
    expect((await client.getApp(app.id)).tasksUnhealthy).toBe(1);
  }, 60_000);

  it('answers 409 while locked; force cancels, and DELETE without force rolls the app back', async () => {
    await finished((await client.createApp(app)).deploymentId);
    const stuck = await client.updateApp(app.id, broken);
    await expect(client.restartApp(app.id)).rejects.toMatchObject({
      constructor: MarathonLockedError,
      deploymentIds: [stuck.deploymentId],
    });
    const rollback = await fetch(`${double.url}/v2/deployments/${stuck.deploymentId}`, {
      method: 'DELETE',
    });
    expect(rollback.status).toBe(200);
    await finished(rollback.headers.get(DEPLOYMENT_ID_HEADER) as string);
    expect((await client.getApp(app.id)).container?.docker.image).toBe(app.container?.docker.image);
    const again = await client.updateApp(app.id, broken);
    const forced = await fetch(`${double.url}/v2/deployments/${again.deploymentId}?force=true`, {
      method: 'DELETE',
    });
    expect(forced.status).toBe(202);
    expect(await client.listDeployments()).toEqual([]);
  }, 60_000);

  it('keeps versions newest first, and scales down the youngest instances first', async () => {
    await finished((await client.createApp(app)).deploymentId);
    const scaledUp = await client.updateApp(app.id, { instances: 3 });
    await finished(scaledUp.deploymentId);
    const before = await client.getApp(app.id);
    const youngest = [...(before.tasks ?? [])].sort((a, b) =>
      a.stagedAt! < b.stagedAt! ? 1 : -1,
    )[0];
    await finished((await client.updateApp(app.id, { instances: 2 })).deploymentId);
    const after = await client.getApp(app.id);
    expect(after.tasks?.map((t) => t.id)).not.toContain(youngest.id);
    const versions = await client.listVersions(app.id);
    expect(versions).toHaveLength(3);
    expect([...versions].sort().reverse()).toEqual(versions);
    expect(after.versionInfo.lastConfigChangeAt).toBe(versions[2]);
  }, 60_000);

  it('upgrades a single instance although minimumHealthCapacity 1 leaves no room (one extra, as Marathon does)', async () => {
    const single = {
      ...app,
      instances: 1,
      upgradeStrategy: { minimumHealthCapacity: 1, maximumOverCapacity: 0 },
    };
    await finished((await client.createApp(single)).deploymentId);
    const next = {
      ...single,
      container: { ...app.container!, docker: { ...app.container!.docker, image: 'herd/sheep:2' } },
    };
    await finished((await client.updateApp(app.id, next)).deploymentId);
    const upgraded = await client.getApp(app.id);
    expect(upgraded).toMatchObject({ instances: 1, tasksRunning: 1, tasksHealthy: 1 });
    expect(upgraded.tasks?.[0].version).toBe(upgraded.version);
  }, 60_000);

  it('refuses requests without the configured basic auth', async () => {
    const guarded = new MarathonDouble({ credentials: { username: 'ops', password: 'pw' } });
    const url = await guarded.start();
    try {
      expect((await fetch(`${url}/v2/apps`)).status).toBe(401);
      const auth = `Basic ${Buffer.from('ops:pw').toString('base64')}`;
      expect((await fetch(`${url}/v2/apps`, { headers: { authorization: auth } })).status).toBe(
        200,
      );
    } finally {
      await guarded.stop();
    }
  }, 60_000);
});
