import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { buildServiceImages, eventually, resolveInfraPaths, silentProgress } from '@herd/testing';
import { swarmSecretNeeds } from '@herd/swarm';
import { serviceDatabaseUrlKey } from '@herd/service';
import { EXIT } from '../../apps/cli/src/exit-codes';
import { CODEC_METRICS } from '../../apps/codec/src/codec.constants';
import { shepherdManifest } from '../../apps/shepherd/src/shepherd.manifest';
import { recreateServiceDatabase } from '../service-databases';
import { PublishTraffic, RanchFixture } from './ranch-fixture';

const run = promisify(execFile);
const BURST = 6;

interface Decision {
  readonly app: string;
  readonly action: string;
  readonly cause: string;
  readonly outcome: string;
  readonly fromInstances: number;
  readonly toInstances: number;
  readonly reason: string;
  readonly decidedAt: string;
}

/**
 * The shepherd from its image on the real one-node swarm, deployed by the spawned `herd deploy
 * --target swarm shepherd` beside one courseware and one codec: with the engine's socket mounted
 * (its group added to uid 999) it reads codec's real transcode backlog, grows `<stack>_codec`
 * through the Engine API under a burst of real publishes, and shrinks it again once idle; each
 * decision is served with its reason by its API and in the snapshot its page draws.
 */
describe('the shepherd on the ranch', () => {
  const ranch = new RanchFixture();
  const shepherdService = `${ranch.stack}_${shepherdManifest.name}`;
  const secrets: string[] = [];
  let image: string;
  let started: number;
  let shepherdUrl: string;

  const explain = async () => {
    const logs = await run('docker', ['service', 'logs', '--raw', '--tail', '30', shepherdService])
      .then(({ stdout, stderr }) => stdout + stderr)
      .catch((error: Error) => error.message);
    const tasks = await run('docker', ['service', 'ps', '--no-trunc', ranch.serviceName('codec')])
      .then(({ stdout }) => stdout)
      .catch((error: Error) => error.message);
    return `shepherd's last log lines:\n${logs}\ncodec's tasks:\n${tasks}`;
  };
  const codecReplicas = async () =>
    (await ranch.docker.inspectService(ranch.serviceName('codec'))).Spec.Mode.Replicated.Replicas;
  const acted = async () => {
    const answer = await fetch(`${shepherdUrl}/autoscaler/decisions?app=codec&acted=true`);
    return ((await answer.json()) as Decision[])
      .filter((decision) => Date.parse(decision.decidedAt) >= started)
      .reverse();
  };

  beforeAll(async () => {
    await ranch.start(['1.0.0']);
    const [built] = await buildServiceImages([shepherdManifest.name], {
      paths: resolveInfraPaths(),
      progress: silentProgress,
    });
    const version = ranch.versions[0] as string;
    image = `herd/shepherd:${version}`;
    await run('docker', ['tag', (built as { id: string }).id, image]);
    const databaseUrl = await recreateServiceDatabase(ranch.infra.postgresUrl, 'shepherd');
    const values: Record<string, string> = {
      [serviceDatabaseUrlKey(shepherdManifest.name)]: databaseUrl,
      HERD_CONSUL_TOKEN: 'anonymous',
    };
    for (const need of swarmSecretNeeds(shepherdManifest, { secretPrefix: `${ranch.stack}-` })) {
      await ranch.docker.createSecret(need.name, values[need.envKey] ?? '', {
        'io.herd.test': ranch.stack,
      });
      secrets.push(need.name);
    }
    const herd = await ranch.deploy(['courseware', 'codec'], version, ['--replicas', '1']);
    expect(herd.code).toBe(EXIT.ok);
    await ranch.settled('courseware', 1, version);
    await ranch.settled('codec', 1, version);

    // Small numbers for 2 cores: codec 1 ↔ 2, one-second cycles, a 3 s idle window.
    const policies = [
      {
        app: 'codec',
        minInstances: 1,
        maxInstances: 2,
        scaleOutCycles: 2,
        scaleInCycles: 1,
        cooldownMs: 2_000,
        backlog: {
          metric: CODEC_METRICS.transcodeJobs,
          aggregate: 'max',
          targetPerInstance: 2,
          idleWindowMs: 3_000,
        },
      },
    ];
    started = Date.now();
    const shepherd = await ranch.herd([
      'deploy',
      '--target',
      'swarm',
      'shepherd',
      '--stack',
      ranch.stack,
      '--version',
      version,
      '--secret-prefix',
      `${ranch.stack}-`,
      '--replicas',
      '3',
      '--env',
      `HERD_CONSUL_URL=${ranch.infra.consulUrl}`,
      '--env',
      `HERD_KAFKA_BROKERS=${ranch.infra.kafkaBrokers.join(',')}`,
      '--env',
      `SHEPHERD_POLICIES=${JSON.stringify(policies)}`,
      '--env',
      'SHEPHERD_CYCLE_MS=1000',
      '--poll-interval',
      '0.5',
      '--timeout',
      '300',
    ]);
    expect(shepherd.stderr).toBe('');
    expect(shepherd.code).toBe(EXIT.ok);
    // One shepherd whatever --replicas says: two would both act.
    expect(shepherd.stdout).toContain(`${shepherdService} created: 1 of 1 running`);
    shepherdUrl = await eventually(
      'the shepherd passing in Consul',
      async () => {
        const answer = await fetch(
          `${ranch.infra.consulUrl}/v1/health/service/shepherd?passing=true`,
        );
        const [entry] = (await answer.json()) as Array<{
          Service: { Address: string; Port: number };
        }>;
        return entry ? `http://${entry.Service.Address}:${entry.Service.Port}` : undefined;
      },
      { timeoutMs: 120_000, explain },
    );
  }, 900_000);

  afterAll(async () => {
    await ranch.docker.removeService(shepherdService).catch(() => undefined);
    await eventually(
      'the shepherd’s task gone',
      async () =>
        (await ranch.docker.listTasks({ service: [shepherdService] }).catch(() => [])).length === 0
          ? true
          : undefined,
      { timeoutMs: 120_000 },
    ).catch(() => undefined);
    for (const secret of secrets) await ranch.docker.removeSecret(secret).catch(() => undefined);
    if (image) await run('docker', ['rmi', '--no-prune', image]).catch(() => undefined);
    await ranch.close();
  }, 300_000);

  it('runs with the socket and its group, on a manager, scaling its own stack', async () => {
    const { Spec } = await ranch.docker.inspectService(shepherdService);
    const container = Spec.TaskTemplate.ContainerSpec;
    // The engine leaves ReadOnly out when false: the bind is read-write.
    const socket = container.Mounts?.find((mount) => mount.Target === '/var/run/docker.sock');
    expect(socket).toMatchObject({ Type: 'bind', Source: '/var/run/docker.sock' });
    expect(socket?.ReadOnly).toBeFalsy();
    expect(container.Groups?.length).toBe(1);
    expect(Spec.TaskTemplate.Placement?.Constraints).toEqual(['node.role == manager']);
    const policies = (await (await fetch(`${shepherdUrl}/autoscaler/policies`)).json()) as {
      target: string;
    };
    expect(policies.target).toBe(`Swarm on /var/run/docker.sock (stack ${ranch.stack})`);
  });

  it('grows codec under a burst of publishes and shrinks it once idle, each decision explained', async () => {
    expect(await codecReplicas()).toBe(1);
    const traffic = new PublishTraffic(ranch, 0);
    await eventually(
      `${BURST} publishes accepted`,
      async () => (traffic.accepted.length >= BURST ? true : undefined),
      { timeoutMs: 180_000, explain },
    );
    await traffic.stop();
    // A request may time out on a loaded 2-core machine (one courseware): not this test's point,
    // ranch.e2e-spec.ts holds the herd to no failed request. The burst is what was accepted.
    expect(traffic.accepted.length).toBeGreaterThanOrEqual(BURST);

    const out = await eventually(
      'a scale-out of codec on its backlog',
      async () => (await acted()).find((decision) => decision.action === 'scale-out'),
      { timeoutMs: 180_000, intervalMs: 1000, explain },
    );
    expect(out).toMatchObject({
      cause: 'backlog',
      outcome: 'applied',
      fromInstances: 1,
      toInstances: 2,
    });
    expect(out.reason).toMatch(/^backlog \d+ \(\d+(\.\d)? per instance\) > 2 for 2 cycles$/);
    // Applied for real: the swarm service asks for two tasks.
    expect(await codecReplicas()).toBe(2);

    const back = await eventually(
      'a scale-in of codec once its backlog stayed 0 for the idle window',
      async () => (await acted()).find((decision) => decision.action === 'scale-in'),
      { timeoutMs: 300_000, intervalMs: 1000, explain },
    );
    expect(back).toMatchObject({ cause: 'backlog', outcome: 'applied', toInstances: 1 });
    expect(back.reason).toMatch(/^backlog 0 for \d+ s \(idle window 3 s\) for 1 cycles$/);
    await eventually(
      'codec back at one task',
      async () =>
        (await codecReplicas()) === 1 &&
        (await ranch.tasks('codec')).filter((t) => t.Status.State === 'running').length === 1
          ? true
          : undefined,
      { timeoutMs: 120_000, explain },
    );

    // The page draws this snapshot: both decisions there with their reasons, and the page itself.
    const snapshot = (await (await fetch(`${shepherdUrl}/herd`)).json()) as {
      decisions: Array<{ app: string; action: string; reason: string }>;
    };
    expect(snapshot.decisions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ app: 'codec', action: 'scale-out', reason: out.reason }),
        expect.objectContaining({ app: 'codec', action: 'scale-in', reason: back.reason }),
      ]),
    );
    const page = await fetch(`${shepherdUrl}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
  }, 900_000);
});
