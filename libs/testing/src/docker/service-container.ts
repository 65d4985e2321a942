import { GenericContainer, StartedTestContainer, Wait } from 'testcontainers';
import { eventually } from '../wait/eventually';

// Ryuk, testcontainers' reaper, is an image from a registry this machine cannot reach: containers
// are removed by the suites' own stop() instead.
process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';

/** The isolation every Herd service container runs with, in tests as in compose and Swarm. */
/** GiB of memory and CPUs, as testcontainers' resource quota takes them (compose.yml: 512M, 1.0). */
export const SERVICE_CONTAINER_LIMITS = { memory: 0.5, cpu: 1 } as const;

/** A started service container: testcontainers' handle plus its node process's memory. */
export interface StartedServiceContainer {
  readonly container: StartedTestContainer;
  readonly port: number;
  /** Resident memory of the container's node process, from the engine's `top`. */
  nodeRssBytes(): Promise<number>;
}

/**
 * A Herd service image run the way production runs it: host network (the test servers listen on
 * the host's loopback only), read-only root file system, every capability dropped,
 * no-new-privileges, CPU and memory limits. `startService()` waits for /health/ready to answer
 * 200, polled from the host: the image's own HEALTHCHECK runs every 5 s, and waiting for it added
 * up to that to every boot (a test that needs it waits for `State.Health` itself).
 */
export class ServiceContainer extends GenericContainer {
  constructor(
    image: string,
    private readonly port: number,
  ) {
    super(image);
    this.hostConfig.ReadonlyRootfs = true;
    this.withNetworkMode('host')
      .withDroppedCapabilities('ALL')
      .withSecurityOpt('no-new-privileges')
      .withResourcesQuota(SERVICE_CONTAINER_LIMITS)
      .withEnvironment({ PORT: String(port), HOST: '127.0.0.1' })
      // On the host network no port is published: this is "the container started".
      .withWaitStrategy(Wait.forListeningPorts())
      .withStartupTimeout(120_000);
  }

  async startService(): Promise<StartedServiceContainer> {
    const container = await this.start();
    const ready = `http://127.0.0.1:${this.port}/health/ready`;
    await eventually(
      `${this.imageName.string} ready`,
      async () => ((await fetch(ready)).status === 200 ? true : undefined),
      { timeoutMs: 120_000, intervalMs: 250 },
    );
    return {
      container,
      port: this.port,
      nodeRssBytes: () => nodeRssBytes(container),
    };
  }
}

/** Run inside the container: VmRSS (kB) of tini's child, the service (exec'd processes have ppid 0). */
const SERVICE_RSS_PROBE = `
const fs = require('fs');
const ppid = (pid) => fs.readFileSync('/proc/' + pid + '/stat', 'utf8').split(') ')[1].split(' ')[1];
const pid = fs.readdirSync('/proc').find((p) => /^\\d+$/.test(p) && p !== '1' && ppid(p) === '1');
process.stdout.write(/VmRSS:\\s+(\\d+)/.exec(fs.readFileSync('/proc/' + pid + '/status', 'utf8'))[1]);
`;

async function nodeRssBytes(container: StartedTestContainer): Promise<number> {
  const { output, exitCode } = await container.exec(['node', '-e', SERVICE_RSS_PROBE]);
  if (exitCode !== 0) throw new Error(`reading the service's RSS failed: ${output}`);
  return Number(output.trim()) * 1024;
}
