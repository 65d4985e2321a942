import { EventEmitter } from 'node:events';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import Consul from 'consul';
import { ConsulRequestError } from '../errors/consul-request.error';
import { ConsulUnavailableError } from '../errors/consul-unavailable.error';
import { ResolvedRegistryOptions } from '../registry-options.validator';

/** The fields of /v1/health/service/:name entries this library reads. */
export interface ConsulHealthEntry {
  Node: { Node: string; Address: string };
  Service: {
    ID: string;
    Service: string;
    Address: string;
    Port: number;
    Tags: string[] | null;
    Meta: Record<string, string> | null;
  };
  Checks: { CheckID: string; Status: 'passing' | 'warning' | 'critical'; ServiceID: string }[];
}

export interface BlockingResult<T> {
  index: bigint;
  body: T;
}

export interface ConsulCheckDefinition {
  checkid: string;
  name: string;
  http?: string;
  interval?: string;
  timeout?: string;
  ttl?: string;
  /** Status the check starts in (Consul's default: critical). */
  status?: 'passing' | 'warning' | 'critical';
  deregistercriticalserviceafter?: string;
}

export interface ConsulServiceDefinition {
  id: string;
  name: string;
  address: string;
  port: number;
  tags: string[];
  meta: Record<string, string>;
  checks: ConsulCheckDefinition[];
}

type Call = (options: Record<string, unknown>) => Promise<unknown>;

/** The client's methods as called here: with `ctx` and `timeout`, which its typings omit. */
interface ConsulApi {
  health: { service: Call };
  kv: { get: Call };
  agent: {
    service: { register: Call; deregister: Call; list: Call };
    check: { pass: Call; list: Call; deregister: Call };
  };
  status: { leader: Call };
}

interface ResponseLike {
  statusCode?: number;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * The few Consul agent calls the registry makes, over the `consul` npm client. Blocking queries
 * are driven by our own loop (see BlockingQuery) rather than the client's Watch, which ends itself
 * on a 400 and has no jitter.
 */
export class ConsulAgentClient {
  private readonly consul: Consul;
  private readonly api: ConsulApi;
  private readonly inFlight = new Set<EventEmitter>();

  constructor(private readonly options: ResolvedRegistryOptions['consul']) {
    const secure = options.url.protocol === 'https:';
    const agent = secure
      ? new HttpsAgent({ keepAlive: true, ...options.tls })
      : new HttpAgent({ keepAlive: true });
    this.consul = new Consul({
      host: options.url.hostname,
      port: Number(options.url.port || (secure ? 443 : 80)),
      secure,
      agent,
      defaults: {
        ...(options.token ? { token: options.token } : {}),
        ...(options.datacenter ? { dc: options.datacenter } : {}),
      },
    });
    this.api = this.consul as unknown as ConsulApi;
  }

  /** Address for logs and health: never carries the token. */
  get endpoint(): string {
    return this.options.url.origin;
  }

  async healthService(
    service: string,
    index: bigint,
    waitMs: number,
    signal?: AbortSignal,
  ): Promise<BlockingResult<ConsulHealthEntry[]>> {
    const [res, body] = (await this.call(
      'health.service',
      (ctx) =>
        this.api.health.service({
          service,
          passing: true,
          index: index.toString(),
          wait: `${waitMs}ms`,
          // Consul adds up to wait/16 of jitter before answering.
          timeout: waitMs + Math.ceil(waitMs / 16) + this.options.requestTimeoutMs,
          ctx,
        }),
      signal,
    )) as [ResponseLike, ConsulHealthEntry[]];
    return { index: parseIndex(res), body: body ?? [] };
  }

  async kvRecurse(
    prefix: string,
    index: bigint,
    waitMs: number,
    signal?: AbortSignal,
  ): Promise<BlockingResult<{ Key: string; Value: string | null }[]>> {
    const [res, body] = (await this.call(
      'kv.get',
      (ctx) =>
        this.api.kv.get({
          key: prefix,
          recurse: true,
          index: index.toString(),
          wait: `${waitMs}ms`,
          timeout: waitMs + Math.ceil(waitMs / 16) + this.options.requestTimeoutMs,
          ctx,
        }),
      signal,
    )) as [ResponseLike, { Key: string; Value: string | null }[] | undefined];
    return { index: parseIndex(res), body: body ?? [] };
  }

  async registerService(definition: ConsulServiceDefinition): Promise<void> {
    await this.call('agent.service.register', (ctx) =>
      this.api.agent.service.register({
        ...definition,
        timeout: this.options.requestTimeoutMs,
        ctx,
      }),
    );
  }

  async deregisterService(id: string): Promise<void> {
    await this.call('agent.service.deregister', (ctx) =>
      this.api.agent.service.deregister({ id, timeout: this.options.requestTimeoutMs, ctx } as {
        id: string;
      }),
    );
  }

  /**
   * Registers a local service again with its checks in the statuses given. Consul keeps the status
   * of a check it already holds (a re-registered service's, and a re-added check's too), so the
   * checks named in `fresh` are deregistered first; one the agent no longer holds is skipped.
   */
  async registerServiceWithFreshChecks(
    definition: ConsulServiceDefinition,
    fresh: readonly string[],
  ): Promise<void> {
    for (const id of fresh) {
      await this.call('agent.check.deregister', (ctx) =>
        this.api.agent.check.deregister({ id, timeout: this.options.requestTimeoutMs, ctx }),
      ).catch((error: unknown) => {
        if (!(error instanceof ConsulRequestError && error.statusCode === 404)) throw error;
      });
    }
    await this.registerService(definition);
  }

  /** Passes a TTL check; resolves false when the agent does not know the check (lost registration). */
  async passCheck(checkId: string): Promise<boolean> {
    try {
      await this.call('agent.check.pass', (ctx) =>
        this.api.agent.check.pass({
          id: checkId,
          timeout: this.options.requestTimeoutMs,
          ctx,
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConsulUnavailableError) throw error;
      return false;
    }
  }

  /** The agent's view of its local service `id` with its worst check status, or undefined if unknown. */
  async localServiceHealth(id: string): Promise<'passing' | 'warning' | 'critical' | undefined> {
    const filter = JSON.stringify(id);
    const [, services] = (await this.call('agent.service.list', (ctx) =>
      this.api.agent.service.list({
        filter: `ID == ${filter}`,
        timeout: this.options.requestTimeoutMs,
        ctx,
      }),
    )) as [ResponseLike, Record<string, unknown> | undefined];
    if (!services || !(id in services)) return undefined;
    const [, checks] = (await this.call('agent.check.list', (ctx) =>
      this.api.agent.check.list({
        filter: `ServiceID == ${filter}`,
        timeout: this.options.requestTimeoutMs,
        ctx,
      }),
    )) as [
      ResponseLike,
      Record<string, { Status: 'passing' | 'warning' | 'critical' }> | undefined,
    ];
    const statuses = Object.values(checks ?? {}).map((c) => c.Status);
    if (statuses.includes('critical')) return 'critical';
    if (statuses.includes('warning')) return 'warning';
    return 'passing';
  }

  async ping(): Promise<void> {
    await this.call('status.leader', (ctx) =>
      this.api.status.leader({ timeout: this.options.requestTimeoutMs, ctx }),
    );
  }

  /** Cancels blocking queries in flight and frees keep-alive sockets. */
  close(): void {
    for (const ctx of this.inFlight) ctx.emit('cancel');
    this.inFlight.clear();
    this.consul.destroy();
  }

  private async call<T>(
    operation: string,
    run: (ctx: EventEmitter) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    const ctx = Object.assign(new EventEmitter(), { includeResponse: true });
    const cancel = () => ctx.emit('cancel');
    signal?.addEventListener('abort', cancel, { once: true });
    this.inFlight.add(ctx);
    try {
      const value = await run(ctx);
      // With `includeResponse` a success is always [response, body]; on transport errors the client
      // resolves with the error itself instead of rejecting.
      if (!Array.isArray(value)) throw value;
      return value;
    } catch (error) {
      const status = statusOf(error);
      // 4xx is the caller's problem; the rest means "agent unreachable". Neither rethrows the
      // client's error: its response still holds the request's X-Consul-Token header.
      if (status !== undefined && status >= 400 && status < 500) {
        throw new ConsulRequestError(operation, status, messageOf(error));
      }
      throw new ConsulUnavailableError(operation, error);
    } finally {
      signal?.removeEventListener('abort', cancel);
      this.inFlight.delete(ctx);
    }
  }
}

function messageOf(error: unknown): string {
  const message = (error as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' && message !== '' ? message : 'request refused';
}

export function statusOf(error: unknown): number | undefined {
  const candidate = error as
    { statusCode?: number; response?: { statusCode?: number } } | undefined;
  return candidate?.statusCode ?? candidate?.response?.statusCode;
}

function parseIndex(res: ResponseLike): bigint {
  const raw = res.headers['x-consul-index'];
  const value = Array.isArray(raw) ? raw[0] : raw;
  try {
    return value ? BigInt(value) : 0n;
  } catch {
    return 0n;
  }
}
