import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync } from 'node:fs';
import { provisionServiceDatabase } from '@herd/database';
import { serviceDatabaseUrlKey } from '@herd/service';
import {
  DockerEngineClient,
  DockerEngineError,
  ensureSwarm,
  swarmSecretNeeds,
  swarmServiceName,
} from '@herd/swarm';
import {
  INFRA_ENV_KEYS,
  ProgressReporter,
  buildServiceImages,
  infraUp,
  resolveInfraPaths,
} from '@herd/testing';
import { shepherdManifest } from '../../../shepherd/src/shepherd.manifest';
import { EXIT } from '../exit-codes';
import { HERD_STACK, herdSwarmMembers } from './herd-swarm-stack';
import { SwarmTarget } from './swarm-target';

/** The herd's members and their shepherd, in the order the ranch deploys them. */
const RANCH_MANIFESTS = [...herdSwarmMembers().map((member) => member.manifest), shepherdManifest];
/** Replicas of each member on the ranch: enough to see a roll and a kill go unnoticed. */
export const RANCH_REPLICAS = 3;
const VALUE_LABEL = 'io.herd.value-sha256';
/** One node: every task binds and registers loopback. */
const RANCH_HOST = '127.0.0.1';

export interface RanchOptions {
  readonly progress: ProgressReporter;
  readonly out: NodeJS.WritableStream;
  readonly err: NodeJS.WritableStream;
  readonly replicas?: number;
}

/**
 * `npm run ranch`: the herd on this machine's Docker swarm. A one-node swarm is made when the
 * engine is in none (an existing one is used as it is), the images are built, the infra started,
 * each member's own database and Docker secrets created, courseware and codec deployed with
 * several replicas each on the host network (loopback only), then one shepherd scaling them
 * through the engine's socket, and what to look at printed.
 */
export async function runRanch(options: RanchOptions): Promise<number> {
  const { progress } = options;
  const paths = resolveInfraPaths();
  const client = new DockerEngineClient();
  progress('images', 'building (docker/service.Dockerfile, the layer cache keeps repeats short)');
  const built = await buildServiceImages(
    RANCH_MANIFESTS.map((manifest) => manifest.name),
    { paths, progress },
  );
  for (const image of built) progress('images', `${image.image} (${image.id.slice(7, 19)})`);

  const swarm = await ensureSwarm(client);
  progress(
    'swarm',
    swarm.created
      ? `this engine is now a one-node swarm (node ${swarm.nodeId}, advertising 127.0.0.1); npm run ranch -- down --leave leaves it`
      : `using the swarm this engine is in (node ${swarm.nodeId}): left as it is`,
  );

  progress('infra', 'PostgreSQL, Kafka and Consul (npm run infra -- up)');
  const infra = await infraUp({ progress });
  const adminUrl = infra[INFRA_ENV_KEYS.postgres];
  const consulUrl = infra[INFRA_ENV_KEYS.consul];

  // The manifests' own host paths (as in the stack file), so a later `herd deploy` needs no flag.
  const volumes = RANCH_MANIFESTS.flatMap((manifest) => manifest.volumes);
  for (const volume of volumes) {
    mkdirSync(volume.hostPath, { recursive: true });
    // The tasks run as uid 999: a bind-mounted folder must be theirs to write.
    if (volume.mode === 'RW') chmodSync(volume.hostPath, 0o777);
  }

  for (const manifest of RANCH_MANIFESTS) {
    // The development convention of @herd/service: role, password and database named after it.
    const role = manifest.name.replace(/[^a-z0-9_]/gi, '_').toLowerCase();
    const { url: databaseUrl } = await provisionServiceDatabase(adminUrl, { role, password: role });
    progress('database', `${manifest.name}: its own role and database (${redact(databaseUrl)})`);
    const values: Record<string, string> = {
      [serviceDatabaseUrlKey(manifest.name)]: databaseUrl,
      // A dev agent has no ACLs: any token is accepted, and the service needs one to be set.
      HERD_CONSUL_TOKEN: 'anonymous',
    };
    for (const need of swarmSecretNeeds(manifest)) {
      const state = await ensureSecret(client, need.name, values[need.envKey] ?? '');
      progress('secrets', `${need.name}: ${state}`);
    }
  }

  const target = new SwarmTarget(options.out, options.err, 1000, client);
  // Every member, the shepherd last and with one replica whatever `replicas` says.
  const code = await target.deploy(
    [],
    {
      stack: HERD_STACK,
      replicas: options.replicas ?? RANCH_REPLICAS,
      env: {
        HERD_CONSUL_URL: consulUrl,
        HERD_KAFKA_BROKERS: infra[INFRA_ENV_KEYS.kafka],
      },
      host: RANCH_HOST,
    },
    { timeoutMs: 600_000 },
  );
  if (code !== EXIT.ok) return code;
  await target.status({ stack: HERD_STACK });
  options.out.write(await whereToLook(consulUrl, volumes.map((v) => v.hostPath).join(', ')));
  return EXIT.ok;
}

/** `npm run ranch -- down`: the herd's services and secrets removed; `leave`: the swarm too. */
export async function ranchDown(options: RanchOptions & { leave: boolean }): Promise<number> {
  const client = new DockerEngineClient();
  for (const manifest of RANCH_MANIFESTS) {
    const name = swarmServiceName(manifest, { stack: HERD_STACK });
    const removed = await client.removeService(name).then(
      () => 'removed',
      () => 'not there',
    );
    options.progress('services', `${name}: ${removed}`);
    for (const need of swarmSecretNeeds(manifest)) {
      options.progress('secrets', `${need.name}: ${await removeSecret(client, need.name)}`);
    }
  }
  if (options.leave) {
    const others = await client.listServices();
    if (others.length > 0) {
      options.err.write(
        `the swarm still runs ${others.map((s) => s.Spec.Name).join(', ')}: not leaving it\n`,
      );
      return EXIT.unexpected;
    }
    await client.leaveSwarm(true);
    options.progress('swarm', 'left');
  }
  return EXIT.ok;
}

/**
 * Docker secrets cannot change: one whose value differs (another infra port offset, a rebuilt
 * cluster) is replaced when no task uses it, otherwise reported.
 */
async function ensureSecret(client: DockerEngineClient, name: string, value: string) {
  const digest = createHash('sha256').update(value).digest('hex');
  const [existing] = await client.listSecrets({ name: [name] });
  if (existing?.Spec.Labels?.[VALUE_LABEL] === digest) return 'exists';
  if (existing) {
    try {
      await client.removeSecret(existing.ID);
    } catch {
      throw new Error(
        `Docker secret ${name} holds another value and a service still uses it: npm run ranch -- down, then npm run ranch`,
      );
    }
  }
  await client.createSecret(name, value, { [VALUE_LABEL]: digest });
  return existing ? 'replaced' : 'created';
}

async function whereToLook(consulUrl: string, media: string): Promise<string> {
  const lines = ['', 'The herd runs on this machine’s swarm. Where to look:'];
  let page = '(not passing in Consul yet: docker service ps herd_shepherd)';
  for (const manifest of RANCH_MANIFESTS) {
    const answer = await fetch(`${consulUrl}/v1/health/service/${manifest.name}?passing=true`);
    const entries = (await answer.json()) as Array<{
      Service: { ID: string; Address: string; Port: number; Meta?: Record<string, string> };
    }>;
    lines.push(`  ${manifest.name} in Consul (${entries.length} passing):`);
    for (const { Service: s } of entries) {
      lines.push(
        `    http://${s.Address}:${s.Port}  ${s.Meta?.version ?? '?'}  ${s.ID}  (/health/ready, /metrics)`,
      );
      if (manifest === shepherdManifest) page = `http://${s.Address}:${s.Port}/`;
    }
  }
  lines.push(
    `  the shepherd’s page: ${page}  (the herd, its sagas, and why it scaled; GET /autoscaler/decisions)`,
    `  Consul UI:        ${consulUrl}/ui/dc1/services`,
    `  the app list:     npx herd status --target swarm --stack ${HERD_STACK}`,
    `  tasks:            docker service ps ${HERD_STACK}_courseware ${HERD_STACK}_codec ${HERD_STACK}_shepherd`,
    `  a new version:    set -a && . .herd/infra.env && set +a && export HERD_BIND_HOST=${RANCH_HOST}`,
    `                    npx herd deploy --target swarm codec --version <semver>   (image herd/codec:<semver>)`,
    `  kill a sheep:     docker kill $(docker ps -q -f label=com.docker.swarm.service.name=${HERD_STACK}_codec | head -1)`,
    `  publish a course: C=http://<a courseware address above>, then the calls in README.md's "The courseware API"`,
    `  media on disk:    ${media} (courseware's originals, codec's renditions)`,
    `  stop it all:      npm run ranch -- down [--leave]`,
    '',
  );
  return lines.join('\n');
}

function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

/** A task that still stops holds its secret: Swarm refuses the removal until it is gone. */
async function removeSecret(client: DockerEngineClient, name: string): Promise<string> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await client.removeSecret(name);
      return 'removed';
    } catch (error) {
      if (error instanceof DockerEngineError && error.notFound) return 'not there';
      if (Date.now() > deadline) return `not removed (${(error as Error).message})`;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}
