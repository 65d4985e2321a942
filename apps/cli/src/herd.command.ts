import { CommandRunner, Option } from 'nest-commander';
import {
  DeploymentSnapshot,
  DeploymentTimeoutError,
  MarathonClient,
  MarathonDeployer,
  MarathonLockedError,
} from '@herd/marathon';
import { EXIT, exitCodeFor } from './exit-codes';
import { seconds } from './durations';
import { ProgressPrinter } from './progress-printer';
import type { SwarmDeployOptions, SwarmTarget } from './swarm/swarm-target';
import { UsageError } from './usage.error';

/** Where a command acts: Marathon over its REST API, or a Docker swarm over the Engine API. */
export type HerdTarget = 'marathon' | 'swarm';
const TARGETS: readonly HerdTarget[] = ['marathon', 'swarm'];

export interface HerdCommandOptions extends SwarmDeployOptions {
  target?: HerdTarget;
  marathonUrl?: string;
  marathonUser?: string;
  marathonPassword?: string;
  marathonToken?: string;
  timeout?: number;
  rollbackTimeout?: number;
  pollInterval?: number;
  force?: boolean;
}

const DEFAULT_TIMEOUT_SECONDS = 600;
const STUCK_HINT =
  '; it is still running in Marathon: deploy a fixed definition with --force, or herd rollback --to <version> --force';

/**
 * What every `herd` command shares: its target (`--target marathon`, the default, or `swarm`),
 * where Marathon is and how to log in (flags, else MARATHON_URL, MARATHON_USER,
 * MARATHON_PASSWORD, MARATHON_TOKEN), the deadline, progress, and turning each failure into one
 * line on stderr and its exit code. Credentials are never printed: messages only ever show the
 * URL without them. The swarm target needs no address: the Docker engine's socket (DOCKER_HOST).
 */
export abstract class HerdCommand extends CommandRunner {
  protected readonly out = process.stdout;

  async run(params: string[], options: HerdCommandOptions = {}): Promise<void> {
    let client: MarathonClient | undefined;
    try {
      if (options.target === 'swarm') {
        // Loaded on use: the herd's manifests import the services, which Marathon commands skip.
        const { SwarmTarget } = await import('./swarm/swarm-target');
        const pollMs = (options.pollInterval ?? 1) * 1000;
        const target = new SwarmTarget(this.out, process.stderr, pollMs);
        process.exitCode = await this.executeSwarm(params, options, target);
        return;
      }
      client = this.client(options);
      process.exitCode = await this.execute(params, options, client);
    } catch (error) {
      let line = (error as Error).message;
      if (client && error instanceof MarathonLockedError) line = await explainLock(client, error);
      if (error instanceof DeploymentTimeoutError) line += STUCK_HINT;
      process.stderr.write(`herd: ${line}\n`);
      if (exitCodeFor(error) === EXIT.unexpected && process.env.HERD_DEBUG) {
        process.stderr.write(`${(error as Error).stack}\n`);
      }
      process.exitCode = exitCodeFor(error);
    }
  }

  protected abstract execute(
    params: string[],
    options: HerdCommandOptions,
    client: MarathonClient,
  ): Promise<number>;

  /** The command on a Docker swarm; a command without one refuses `--target swarm`. */
  protected executeSwarm(
    _params: string[],
    _options: HerdCommandOptions,
    _target: SwarmTarget,
  ): Promise<number> {
    throw new UsageError(`herd ${this.command.name()} has no swarm target`);
  }

  protected deployer(client: MarathonClient, options: HerdCommandOptions): MarathonDeployer {
    const printer = new ProgressPrinter(this.out);
    return new MarathonDeployer(client, {
      pollIntervalMs: (options.pollInterval ?? 1) * 1000,
      onProgress: (snapshot: DeploymentSnapshot) => printer.print(snapshot),
      onRollback: (failed, version) =>
        this.out.write(
          `herd: ${failed.appId} is not healthy after ${seconds(failed.elapsedMs)}: rolling back to ${version}\n`,
        ),
    });
  }

  protected change(options: HerdCommandOptions) {
    const timeoutMs = (options.timeout ?? DEFAULT_TIMEOUT_SECONDS) * 1000;
    return {
      timeoutMs,
      rollbackTimeoutMs:
        options.rollbackTimeout === undefined ? timeoutMs : options.rollbackTimeout * 1000,
      force: options.force === true,
    };
  }

  private client(options: HerdCommandOptions): MarathonClient {
    const url = options.marathonUrl ?? process.env.MARATHON_URL;
    if (!url) throw new UsageError('no Marathon URL: pass --marathon-url or set MARATHON_URL');
    try {
      return new MarathonClient({
        url,
        username: options.marathonUser ?? process.env.MARATHON_USER,
        password: options.marathonPassword ?? process.env.MARATHON_PASSWORD,
        token: options.marathonToken ?? process.env.MARATHON_TOKEN,
      });
    } catch {
      throw new UsageError('the Marathon URL is not a URL (--marathon-url / MARATHON_URL)');
    }
  }

  @Option({
    flags: '--target <marathon|swarm>',
    description: 'Marathon (default) or the Docker swarm of this engine (DOCKER_HOST)',
  })
  parseTarget(value: string): HerdTarget {
    if (!TARGETS.includes(value as HerdTarget)) {
      throw new UsageError(`--target must be one of ${TARGETS.join(', ')} (got "${value}")`);
    }
    return value as HerdTarget;
  }

  @Option({ flags: '--marathon-url <url>', description: 'Marathon base URL (env MARATHON_URL)' })
  parseMarathonUrl(value: string): string {
    return value;
  }

  @Option({ flags: '--marathon-user <user>', description: 'basic auth user (env MARATHON_USER)' })
  parseMarathonUser(value: string): string {
    return value;
  }

  @Option({
    flags: '--marathon-password <password>',
    description: 'basic auth password (prefer env MARATHON_PASSWORD: flags show in ps)',
  })
  parseMarathonPassword(value: string): string {
    return value;
  }

  @Option({
    flags: '--marathon-token <token>',
    description: 'DC/OS token, sent as Authorization: token=… (env MARATHON_TOKEN)',
  })
  parseMarathonToken(value: string): string {
    return value;
  }

  @Option({
    flags: '--timeout <seconds>',
    description: `give up on a deployment after this long (default ${DEFAULT_TIMEOUT_SECONDS})`,
  })
  parseTimeout(value: string): number {
    return positiveNumber('--timeout', value);
  }

  @Option({
    flags: '--poll-interval <seconds>',
    description: 'how often to poll Marathon (default 1)',
  })
  parsePollInterval(value: string): number {
    return positiveNumber('--poll-interval', value);
  }
}

export function wholeNumber(what: string, value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) {
    throw new UsageError(`${what} must be a whole number ≥ 0 (got "${value}")`);
  }
  return parsed;
}

export function positiveNumber(flag: string, value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) {
    throw new UsageError(`${flag} must be a number above 0 (got "${value}")`);
  }
  return parsed;
}

/** Marathon's 409 says only "locked": name the deployment, what it does, and the two ways out. */
async function explainLock(client: MarathonClient, error: MarathonLockedError): Promise<string> {
  const deployments = await client.listDeployments().catch(() => []);
  const holding = error.deploymentIds.map((id) => {
    const found = deployments.find((d) => d.id === id);
    if (!found) return id;
    const actions = found.currentActions.map((a) => a.action).join(', ');
    return `${id} (${actions}, step ${found.currentStep} of ${found.totalSteps}, since ${found.version})`;
  });
  return (
    `the app is locked by deployment ${holding.join(', ') || '(unnamed)'}: Marathon runs one deployment per app at a time, ` +
    `and one whose tasks never turn healthy never ends. Wait for it (herd status), or rerun with --force to cancel it.`
  );
}

/** A command that starts a deployment: it may cancel the one holding the lock. */
export abstract class ChangeCommand extends HerdCommand {
  @Option({
    flags: '--force',
    description: 'cancel the deployment that holds the app (409 locked) and go ahead',
  })
  parseForce(): boolean {
    return true;
  }
}
