import { setTimeout as sleep } from 'node:timers/promises';
import { eventually } from '@herd/testing';
import { EXIT } from '../../apps/cli/src/exit-codes';
import { Member, PublishTraffic, RanchFixture } from './ranch-fixture';

/**
 * The ranch: courseware and codec from their images on a real one-node swarm, deployed, rolled,
 * scaled and rolled back by the spawned `herd … --target swarm`, while a client publishes
 * coursewares through the registry client (Consul discovery, as every herd client does). No
 * request may fail and every publish saga must end with exactly one transcode job.
 */
describe('the ranch: the herd on a real swarm', () => {
  const ranch = new RanchFixture();
  let first: string;
  let next: string;
  let neverReady: string;

  /** Every accepted courseware published, each with exactly one transcode job: none lost, none twice. */
  async function everySagaEndedOnce(accepted: readonly string[]): Promise<void> {
    const { coursewares, jobs } = await eventually(
      `the ${accepted.length} publish sagas ended`,
      async () => {
        const effects = await ranch.effects();
        return accepted.every((id) => effects.coursewares.get(id) === 'PUBLISHED')
          ? effects
          : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 1000 },
    );
    expect(accepted.filter((id) => coursewares.get(id) !== 'PUBLISHED')).toEqual([]);
    expect(accepted.filter((id) => jobs.get(id) !== 1)).toEqual([]);
    expect([...jobs.values()].filter((count) => count !== 1)).toEqual([]);
  }

  /** Which versions of a member Consul lists side by side, sampled until stopped. */
  function sampleVersions(member: Member) {
    const mixes = new Set<string>();
    let stopped = false;
    const done = (async () => {
      while (!stopped) {
        const versions = new Set((await ranch.instances(member)).map((i) => i.version));
        if (versions.size > 1) mixes.add([...versions].sort().join(' + '));
        await sleep(200);
      }
    })();
    return {
      mixes,
      stop: async () => {
        stopped = true;
        await done;
      },
    };
  }

  beforeAll(async () => {
    await ranch.start(['1.0.0', '1.1.0', '1.2.0']);
    [first, next, neverReady] = ranch.versions;
    const created = await ranch.deploy(['courseware', 'codec'], first, ['--replicas', '2']);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(EXIT.ok);
    expect(created.stdout).toContain(`${ranch.serviceName('codec')} created: 2 of 2 running`);
    // Each member's host folder as given with --volume, shared by its replicas.
    const mounts = async (member: Member) =>
      (await ranch.docker.inspectService(ranch.serviceName(member))).Spec.TaskTemplate.ContainerSpec
        .Mounts;
    expect(await mounts('courseware')).toContainEqual(
      expect.objectContaining({ Source: ranch.originals, Target: '/srv/originals' }),
    );
    expect(await mounts('codec')).toContainEqual(
      expect.objectContaining({ Source: ranch.media, Target: '/srv/media' }),
    );
    await ranch.settled('courseware', 2, first);
    await ranch.settled('codec', 2, first);
  }, 600_000);

  afterAll(() => ranch.close(), 180_000);

  it('herd status lists the herd: "2 of 2", health, version, CPU and memory per task', async () => {
    const status = await ranch.herd(['status', '--target', 'swarm', '--stack', ranch.stack]);
    expect(status.code).toBe(EXIT.ok);
    const lines = status.stdout.split('\n');
    for (const member of ['courseware', 'codec'] as const) {
      const service = lines.find((line) => line.startsWith(ranch.serviceName(member)));
      expect(service).toMatch(
        new RegExp(`2 of 2\\s+2 healthy\\s+${first}\\s+[\\d.]+ %\\s+\\d+ MB`),
      );
      const tasks = lines.filter((line) => line.startsWith(`  ${ranch.serviceName(member)}.`));
      expect(tasks).toHaveLength(2);
      for (const task of tasks) {
        expect(task).toMatch(
          new RegExp(`running\\s+healthy\\s+${first}\\s+[\\d.]+ %\\s+\\d+ MB / \\d+ MB`),
        );
      }
    }
  }, 60_000);

  it('rolls both services to a new version under steady publishing: no failed request, no saga lost or doubled, both versions side by side in Consul', async () => {
    const traffic = new PublishTraffic(ranch);
    const versions = { courseware: sampleVersions('courseware'), codec: sampleVersions('codec') };
    // Two CLI runs at once, as two pipelines would: each follows its own service.
    const [rolledCourseware, rolled] = await Promise.all([
      ranch.deploy(['courseware'], next),
      ranch.deploy(['codec'], next),
    ]);
    await ranch.settled('courseware', 2, next);
    await ranch.settled('codec', 2, next);
    await Promise.all([traffic.stop(), versions.courseware.stop(), versions.codec.stop()]);

    expect(rolledCourseware).toMatchObject({ code: EXIT.ok, stderr: '' });
    expect(rolled).toMatchObject({ code: EXIT.ok, stderr: '' });
    // Followed task by task, start-first (both replaced at once: the manifest's maxSurge is 1): a
    // progress line with a new task starting while the old version still ran beside it.
    expect(rolled.stdout).toMatch(
      new RegExp(
        `codec: updating; 0 of 2 on the new spec.*${first}\\(old\\) running.*${next} (starting|running)`,
      ),
    );
    expect(traffic.failures).toEqual([]);
    expect(traffic.accepted.length).toBeGreaterThan(20);
    expect([...versions.courseware.mixes]).toContain(`${first} + ${next}`);
    expect([...versions.codec.mixes]).toContain(`${first} + ${next}`);
    await everySagaEndedOnce(traffic.accepted);
  }, 600_000);

  it('a SIGKILLed codec task is replaced by Swarm, the new task registers, the dead one leaves resolve()', async () => {
    const traffic = new PublishTraffic(ranch);
    const [victim] = (await ranch.tasks('codec')).filter((t) => t.Status.State === 'running');
    const containerId = victim?.Status.ContainerStatus?.ContainerID as string;
    await ranch.docker.killContainer(containerId, 'SIGKILL');
    await eventually(
      'the killed task gone from resolve()',
      async () =>
        (await ranch.instances('codec')).some((i) => i.id.endsWith(victim.ID)) ? undefined : true,
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    const replaced = await ranch.settled('codec', 2, next);
    await traffic.stop();
    expect(replaced.map((i) => i.id).filter((id) => id.endsWith(victim.ID))).toEqual([]);
    const running = (await ranch.tasks('codec')).filter((t) => t.DesiredState === 'running');
    expect(running).toHaveLength(2);
    expect(running.map((t) => t.ID)).not.toContain(victim.ID);
    expect(traffic.failures).toEqual([]);
    await everySagaEndedOnce(traffic.accepted);
  }, 300_000);

  it('a SIGKILLed courseware task is invisible to the client: every call lands, every saga ends once', async () => {
    const traffic = new PublishTraffic(ranch, 250);
    await sleep(2000);
    const [victim] = (await ranch.tasks('courseware')).filter((t) => t.Status.State === 'running');
    await ranch.docker.killContainer(
      victim?.Status.ContainerStatus?.ContainerID as string,
      'SIGKILL',
    );
    await eventually(
      'the killed courseware gone from resolve()',
      async () =>
        (await ranch.instances('courseware')).some((i) => i.id.endsWith(victim.ID))
          ? undefined
          : true,
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    await ranch.settled('courseware', 2, next);
    await traffic.stop();
    expect(traffic.failures).toEqual([]);
    expect(traffic.accepted.length).toBeGreaterThan(10);
    await everySagaEndedOnce(traffic.accepted);
  }, 300_000);

  it('scales codec 2 → 5 → 1 while publishing goes on, with no saga lost', async () => {
    const traffic = new PublishTraffic(ranch);
    const up = await ranch.herd(['scale', '--target', 'swarm', ranch.serviceName('codec'), '5']);
    expect(up.code).toBe(EXIT.ok);
    expect(up.stdout).toContain('scaled: 5 of 5 running');
    await ranch.settled('codec', 5, next);
    const down = await ranch.herd(['scale', '--target', 'swarm', ranch.serviceName('codec'), '1']);
    expect(down.code).toBe(EXIT.ok);
    await ranch.settled('codec', 1, next);
    await traffic.stop();
    expect(traffic.failures).toEqual([]);
    await everySagaEndedOnce(traffic.accepted);
  }, 400_000);

  it('a version that never becomes ready is rolled back by Swarm, and the CLI exits non-zero saying why', async () => {
    // Kafka where nothing listens: the new task never becomes ready.
    const failed = await ranch.deploy(['codec'], neverReady, [
      '--env',
      'HERD_KAFKA_BROKERS=127.0.0.1:1',
    ]);
    expect(failed.code).toBe(EXIT.rolledBack);
    expect(failed.stderr).toMatch(
      new RegExp(
        `deploy of ${ranch.serviceName('codec')} to version ${neverReady} failed after .*; rolled back by Swarm .* to version ${next}: 1 of 1 running`,
      ),
    );
    const instances = await ranch.settled('codec', 1, next);
    expect(instances).toHaveLength(1);
  }, 400_000);
});
