import { request } from 'node:http';
import { DockerEngineError } from '../errors/docker-engine.error';
import { DockerEngineUnreachableError } from '../errors/docker-engine-unreachable.error';
import { DOCKER_API_VERSION, DOCKER_DEFAULTS } from '../swarm.constants';
import {
  ContainerInspect,
  ContainerStatsSample,
  SwarmInfo,
  SwarmSecret,
  SwarmService,
  SwarmServiceSpec,
  SwarmTask,
} from './engine-api.interface';

export interface DockerEngineClientOptions {
  /** Default: the socket of `DOCKER_HOST=unix://…`, else /var/run/docker.sock. */
  readonly socketPath?: string;
  /** Per request. Default 30 s. */
  readonly timeoutMs?: number;
}

type Filters = Readonly<Record<string, readonly string[]>>;

/**
 * A small client for the Docker Engine API v1.41: plain HTTP over the engine's unix socket, JSON
 * in and out, every error answer turned into a DockerEngineError carrying the engine's message.
 */
export class DockerEngineClient {
  readonly socketPath: string;
  private readonly timeoutMs: number;

  constructor(options: DockerEngineClientOptions = {}) {
    this.socketPath = options.socketPath ?? socketFromEnv() ?? DOCKER_DEFAULTS.socketPath;
    this.timeoutMs = options.timeoutMs ?? DOCKER_DEFAULTS.requestTimeoutMs;
  }

  info(): Promise<SwarmInfo> {
    return this.call('GET', '/info');
  }

  /** `POST /swarm/init`: makes this engine a one-node swarm's manager; returns the node id. */
  initSwarm(advertiseAddr: string, listenAddr = '0.0.0.0:2377'): Promise<string> {
    return this.call('POST', '/swarm/init', {
      body: { AdvertiseAddr: advertiseAddr, ListenAddr: listenAddr },
    });
  }

  leaveSwarm(force = false): Promise<void> {
    return this.call('POST', `/swarm/leave?force=${force}`);
  }

  async createService(spec: SwarmServiceSpec): Promise<string> {
    const created = await this.call<{ ID: string }>('POST', '/services/create', { body: spec });
    return created.ID;
  }

  inspectService(idOrName: string): Promise<SwarmService> {
    return this.call('GET', `/services/${encodeURIComponent(idOrName)}`);
  }

  /** The service, or undefined when the engine knows none of that name. */
  async findService(idOrName: string): Promise<SwarmService | undefined> {
    try {
      return await this.inspectService(idOrName);
    } catch (error) {
      if (error instanceof DockerEngineError && error.notFound) return undefined;
      throw error;
    }
  }

  listServices(filters: Filters = {}): Promise<SwarmService[]> {
    return this.call('GET', `/services?filters=${encodeFilters(filters)}`);
  }

  /**
   * `POST /services/{id}/update`: `version` is the `Version.Index` the spec was read at (the engine
   * refuses a stale one with 409, so two writers never overwrite each other silently).
   */
  async updateService(id: string, version: number, spec: SwarmServiceSpec): Promise<void> {
    await this.call('POST', `/services/${encodeURIComponent(id)}/update?version=${version}`, {
      body: spec,
    });
  }

  /**
   * Swarm's own rollback (what `docker service rollback` sends): the service goes back to its
   * `PreviousSpec` under its `RollbackConfig`.
   */
  async rollbackService(id: string, version: number, spec: SwarmServiceSpec): Promise<void> {
    await this.call(
      'POST',
      `/services/${encodeURIComponent(id)}/update?version=${version}&rollback=previous`,
      { body: spec },
    );
  }

  async removeService(idOrName: string): Promise<void> {
    await this.call('DELETE', `/services/${encodeURIComponent(idOrName)}`);
  }

  listTasks(filters: Filters): Promise<SwarmTask[]> {
    return this.call('GET', `/tasks?filters=${encodeFilters(filters)}`);
  }

  async createSecret(
    name: string,
    data: string | Buffer,
    labels: Record<string, string> = {},
  ): Promise<string> {
    const created = await this.call<{ ID: string }>('POST', '/secrets/create', {
      body: { Name: name, Labels: labels, Data: Buffer.from(data).toString('base64') },
    });
    return created.ID;
  }

  listSecrets(filters: Filters = {}): Promise<SwarmSecret[]> {
    return this.call('GET', `/secrets?filters=${encodeFilters(filters)}`);
  }

  async removeSecret(idOrName: string): Promise<void> {
    await this.call('DELETE', `/secrets/${encodeURIComponent(idOrName)}`);
  }

  inspectContainer(id: string): Promise<ContainerInspect> {
    return this.call('GET', `/containers/${encodeURIComponent(id)}/json`);
  }

  /** One stats sample (`stream=false`: the engine reads twice, about a second apart). */
  containerStats(id: string): Promise<ContainerStatsSample> {
    return this.call('GET', `/containers/${encodeURIComponent(id)}/stats?stream=false`);
  }

  async killContainer(id: string, signal = 'SIGKILL'): Promise<void> {
    await this.call('POST', `/containers/${encodeURIComponent(id)}/kill?signal=${signal}`);
  }

  private call<T>(method: string, path: string, options: { body?: unknown } = {}): Promise<T> {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    return new Promise<T>((resolve, reject) => {
      const req = request(
        {
          socketPath: this.socketPath,
          method,
          path: `/${DOCKER_API_VERSION}${path}`,
          headers: {
            host: 'docker',
            ...(payload === undefined
              ? {}
              : {
                  'content-type': 'application/json',
                  'content-length': Buffer.byteLength(payload),
                }),
          },
          timeout: this.timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const status = res.statusCode ?? 0;
            if (status >= 400) {
              reject(new DockerEngineError(method, path, status, engineMessage(text)));
              return;
            }
            try {
              resolve((text ? JSON.parse(text) : undefined) as T);
            } catch {
              // Some endpoints answer plain text (`POST /swarm/init` gives the node id as JSON
              // string, others nothing): hand back what came.
              resolve(text as T);
            }
          });
        },
      );
      req.on('timeout', () =>
        req.destroy(new Error(`no answer within ${this.timeoutMs} ms to ${method} ${path}`)),
      );
      req.on('error', (error: NodeJS.ErrnoException) =>
        reject(
          error.code === 'ENOENT' || error.code === 'ECONNREFUSED' || error.code === 'EACCES'
            ? new DockerEngineUnreachableError(this.socketPath, error)
            : error,
        ),
      );
      req.end(payload);
    });
  }
}

function socketFromEnv(): string | undefined {
  const host = process.env.DOCKER_HOST;
  return host?.startsWith('unix://') ? host.slice('unix://'.length) : undefined;
}

function encodeFilters(filters: Filters): string {
  return encodeURIComponent(JSON.stringify(filters));
}

function engineMessage(text: string): string {
  try {
    return (JSON.parse(text) as { message?: string }).message ?? text;
  } catch {
    return text.trim();
  }
}
