import { Agent as HttpAgent, request as httpRequest, IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import CircuitBreaker from 'opossum';
import { matchesFilter } from '../discovery/instance-filter';
import { NoHealthyInstanceError } from '../errors/no-healthy-instance.error';
import { ServiceRequestError } from '../errors/service-request.error';
import { ServiceResponseBodyError } from '../errors/service-response-body.error';
import { ServiceResponseError } from '../errors/service-response.error';
import { LoadBalancer } from '../interfaces/load-balancer.interface';
import { ServiceInstance } from '../interfaces/service-instance.interface';
import { ServiceRegistry } from '../interfaces/service-registry.interface';
import {
  ServiceRequest,
  ServiceResponse,
  ServiceStreamRequest,
  ServiceStreamResponse,
} from '../interfaces/service-request.interface';
import type { ResolvedClientOptions } from '../registry-options.validator';
import { SCHEME_META_KEY } from '../registry.constants';
import { registryMetrics } from '../registry.metrics';

export type ServiceHttpClientOptions = Omit<ResolvedClientOptions, 'balancer'>;

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
/** Connection errors that prove nothing reached the instance. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EADDRNOTAVAIL',
]);

/** An attempt failed before anything reached the instance, so any request may go elsewhere. */
class NotSentError extends Error {}

/** The instance answered 5xx; counts against its circuit. */
class ServerError extends Error {}

/** The request's deadline or the caller's signal ended the attempt: not the instance's fault. */
class StoppedError extends Error {}

/**
 * HTTP calls to one service by name: discovery, load balancing, a connect timeout and an answer
 * timeout per attempt, an overall deadline and the caller's AbortSignal, retry on another
 * instance, and one circuit breaker per instance (dropped once the instance leaves discovery).
 * Connection failures, timeouts and 5xx count against an instance's circuit; 4xx are returned as
 * ServiceResponseError, unreadable bodies as ServiceResponseBodyError, and neither does.
 */
export class ServiceHttpClient {
  private readonly breakers = new Map<string, CircuitBreaker<[() => Promise<unknown>], unknown>>();
  private readonly agents: { http: HttpAgent; https: HttpsAgent };

  constructor(
    readonly service: string,
    private readonly registry: Pick<ServiceRegistry, 'resolve'>,
    private readonly balancer: LoadBalancer,
    private readonly options: ServiceHttpClientOptions,
  ) {
    this.agents = {
      http: new HttpAgent({ keepAlive: true }),
      https: new HttpsAgent({ keepAlive: true, ...options.tls }),
    };
  }

  get<T = unknown>(
    path: string,
    request: Omit<ServiceRequest, 'path' | 'method'> = {},
  ): Promise<ServiceResponse<T>> {
    return this.request<T>({ ...request, path, method: 'GET' });
  }

  post<T = unknown>(
    path: string,
    body?: unknown,
    request: Omit<ServiceRequest, 'path' | 'method' | 'body'> = {},
  ) {
    return this.request<T>({ ...request, path, body, method: 'POST' });
  }

  put<T = unknown>(
    path: string,
    body?: unknown,
    request: Omit<ServiceRequest, 'path' | 'method' | 'body'> = {},
  ) {
    return this.request<T>({ ...request, path, body, method: 'PUT' });
  }

  delete<T = unknown>(path: string, request: Omit<ServiceRequest, 'path' | 'method'> = {}) {
    return this.request<T>({ ...request, path, method: 'DELETE' });
  }

  async request<T = unknown>(request: ServiceRequest): Promise<ServiceResponse<T>> {
    const method = (request.method ?? 'GET').toUpperCase();
    const response = await this.failover(request, method, (instance, signal) =>
      this.send(instance, method, request, signal),
    );
    return response as ServiceResponse<T>;
  }

  /**
   * A GET whose body is handed over as a stream once the head has arrived (a download, a media
   * proxy). Instance selection, failover, timeouts, deadline and circuits are those of `request`
   * until the head: a refused connection, a timeout or a 5xx moves to another instance. Any other
   * status (4xx included) is returned, not thrown. After the head nothing is retried: the body
   * is the caller's to read to its end or to `destroy()`; the caller's `signal` still destroys it.
   * `timeoutMs` and the deadline bound the wait for the head only.
   */
  stream(path: string, request: ServiceStreamRequest = {}): Promise<ServiceStreamResponse> {
    const full: ServiceRequest = { ...request, path, method: 'GET' };
    return this.failover(full, 'GET', (instance, signal) =>
      this.open(instance, 'GET', full, signal, (res, settle) => {
        const status = res.statusCode ?? 0;
        if (status >= 500) return settle.fail(new ServerError(`answered ${status}`));
        settle.done({ status, headers: flatHeaders(res), body: res, instance });
        // The deadline bounded the wait for the head; from here only the caller stops the body.
        const stop = () => res.destroy(request.signal?.reason as Error);
        request.signal?.addEventListener('abort', stop, { once: true });
        res.once('close', () => request.signal?.removeEventListener('abort', stop));
      }),
    );
  }

  private async failover<R>(
    request: ServiceRequest,
    method: string,
    attempt: (instance: ServiceInstance, signal: AbortSignal) => Promise<R>,
  ): Promise<R> {
    const idempotent =
      request.idempotent ??
      (IDEMPOTENT.has(method) ||
        Object.keys(request.headers ?? {}).some((h) => h.toLowerCase() === 'idempotency-key'));
    const deadlineMs = request.deadlineMs ?? this.options.deadlineMs;
    const deadline = AbortSignal.timeout(deadlineMs);
    const signal = request.signal ? AbortSignal.any([request.signal, deadline]) : deadline;
    const instances = await this.instances(request);
    const tried = new Set<string>();
    const failures: { instanceId: string; reason: string }[] = [];
    let sent = 0;

    // Open circuits and connections never made are skipped without using up a retry; the
    // deadline bounds how long that may go on.
    while (tried.size < instances.length && sent <= this.options.retries) {
      if (request.signal?.aborted) throw request.signal.reason;
      if (deadline.aborted) {
        failures.push({ instanceId: '-', reason: `deadline of ${deadlineMs} ms exceeded` });
        break;
      }
      const candidates = instances.filter((instance) => !tried.has(instance.id));
      const instance = this.balancer.pick(candidates);
      tried.add(instance.id);
      const breaker = this.breakerFor(instance.id);
      this.balancer.acquire?.(instance);
      try {
        const response = await breaker.fire(() => attempt(instance, signal));
        registryMetrics().clientRequests.inc({ service: this.service, outcome: 'success' });
        return response as R;
      } catch (error) {
        if (error instanceof ServiceResponseError || error instanceof ServiceResponseBodyError) {
          registryMetrics().clientRequests.inc({ service: this.service, outcome: 'client_error' });
          throw error;
        }
        if (error instanceof StoppedError) {
          if (request.signal?.aborted) throw request.signal.reason;
          failures.push({
            instanceId: instance.id,
            reason: `deadline of ${deadlineMs} ms exceeded`,
          });
          break;
        }
        const open = (error as { code?: string }).code === 'EOPENBREAKER';
        const notSent = open || error instanceof NotSentError;
        // Only a request that may have reached an instance uses up a retry.
        if (!notSent) sent += 1;
        registryMetrics().clientRequests.inc({
          service: this.service,
          outcome: open ? 'circuit_open' : 'failure',
        });
        failures.push({
          instanceId: instance.id,
          reason: open ? 'circuit open' : (error as Error).message,
        });
        if (!idempotent && !notSent) break;
      } finally {
        this.balancer.release?.(instance);
      }
    }
    throw new ServiceRequestError(this.service, failures);
  }

  /** Whether the circuit of `instanceId` is open (calls to it are short-circuited). */
  isOpen(instanceId: string): boolean {
    return this.breakers.get(instanceId)?.opened ?? false;
  }

  /** Instance ids that still have a circuit breaker (instances seen in discovery). */
  trackedInstances(): string[] {
    return [...this.breakers.keys()];
  }

  close(): void {
    for (const breaker of this.breakers.values()) breaker.shutdown();
    this.breakers.clear();
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  /**
   * Every passing instance, then the request's filter applied here: so the breakers of instances
   * that left discovery can be dropped (a herd replaces its members all the time).
   */
  private async instances(request: ServiceRequest): Promise<ServiceInstance[]> {
    let all: ServiceInstance[];
    try {
      all = await this.registry.resolve(this.service);
    } catch (error) {
      if (error instanceof NoHealthyInstanceError) this.prune([]);
      throw error;
    }
    this.prune(all);
    const filter = { version: request.version, tags: request.tags };
    const found = all.filter((instance) => matchesFilter(instance, filter));
    if (found.length === 0) throw new NoHealthyInstanceError(this.service, filter);
    return found;
  }

  private prune(present: readonly ServiceInstance[]): void {
    const ids = new Set(present.map((instance) => instance.id));
    for (const [id, breaker] of this.breakers) {
      if (ids.has(id)) continue;
      breaker.shutdown();
      this.breakers.delete(id);
    }
  }

  private breakerFor(instanceId: string) {
    let breaker = this.breakers.get(instanceId);
    if (!breaker) {
      breaker = new CircuitBreaker((action: () => Promise<unknown>) => action(), {
        timeout: false,
        errorThresholdPercentage: this.options.breaker.errorThresholdPercentage,
        volumeThreshold: this.options.breaker.volumeThreshold,
        resetTimeout: this.options.breaker.resetTimeoutMs,
        // Not the instance's health: the caller's request, an unreadable body, a stop we asked for.
        errorFilter: (error: unknown) =>
          error instanceof ServiceResponseError ||
          error instanceof ServiceResponseBodyError ||
          error instanceof StoppedError,
      });
      this.breakers.set(instanceId, breaker);
    }
    return breaker;
  }

  /** One attempt that reads the whole body: 5xx fail it, 4xx reject it, the rest is parsed. */
  private send(
    instance: ServiceInstance,
    method: string,
    request: ServiceRequest,
    signal: AbortSignal,
  ): Promise<ServiceResponse> {
    return this.open<ServiceResponse>(instance, method, request, signal, (res, settle) => {
      const chunks: Buffer[] = [];
      const unreadable = (reason: string) =>
        settle.fail(
          new ServiceResponseBodyError(this.service, instance.id, res.statusCode ?? 0, reason),
        );
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', (error) => unreadable(error.message));
      res.on('aborted', () => unreadable('the connection closed before the body ended'));
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        const text = Buffer.concat(chunks).toString('utf8');
        if (status >= 500) return settle.fail(new ServerError(`answered ${status}`));
        if (status >= 400) {
          return settle.fail(new ServiceResponseError(this.service, instance.id, status, text));
        }
        const isJson = res.headers['content-type']?.includes('json') && text.length > 0;
        let parsed: unknown = text;
        if (isJson) {
          try {
            parsed = JSON.parse(text);
          } catch (error) {
            return unreadable(`not JSON: ${(error as Error).message}`);
          }
        }
        settle.done({ status, headers: flatHeaders(res), body: parsed, instance });
      });
    });
  }

  /**
   * One attempt on one instance: connect within the connect timeout, then get an answer within
   * the answer timeout, both cut short by `signal`. `onResponse` gets the head and settles the
   * attempt; until it does, the timers and `signal` still apply (a body being read is part of it).
   */
  private open<R>(
    instance: ServiceInstance,
    method: string,
    request: ServiceRequest,
    signal: AbortSignal,
    onResponse: (res: IncomingMessage, settle: Settle<R>) => void,
  ): Promise<R> {
    const scheme =
      this.options.scheme ??
      (instance.meta[SCHEME_META_KEY] === 'https' ? 'https' : ('http' as const));
    const host = instance.address.includes(':') ? `[${instance.address}]` : instance.address;
    const url = new URL(request.path, `${scheme}://${host}:${instance.port}`);
    for (const [key, value] of Object.entries(request.query ?? {}))
      url.searchParams.set(key, String(value));
    const headers: Record<string, string> = { ...request.headers };
    let body: string | Uint8Array | undefined;
    if (request.body !== undefined) {
      const raw = typeof request.body === 'string' || request.body instanceof Uint8Array;
      body = raw ? (request.body as string | Uint8Array) : JSON.stringify(request.body);
      if (!raw) headers['content-type'] ??= 'application/json';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    const connectTimeoutMs = request.connectTimeoutMs ?? this.options.connectTimeoutMs;
    const timeoutMs = request.timeoutMs ?? this.options.timeoutMs;

    return new Promise<R>((resolve, reject) => {
      let connected = false;
      let timer: NodeJS.Timeout | undefined;
      let response: IncomingMessage | undefined;
      const settled = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', stop);
      };
      const fail = (error: Error) => {
        settled();
        // A response read to its end leaves its socket to the keep-alive pool.
        if (!response?.complete) req.destroy();
        reject(error);
      };
      const done = (value: R) => {
        settled();
        resolve(value);
      };
      const stop = () => fail(new StoppedError('stopped by the deadline or the caller'));
      const onConnected = () => {
        connected = true;
        clearTimeout(timer);
        timer = setTimeout(() => fail(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
      };
      const req = (scheme === 'https' ? httpsRequest : httpRequest)(url, {
        method,
        headers,
        agent: this.agents[scheme],
      });
      timer = setTimeout(
        () =>
          fail(new NotSentError(`connect timed out after ${connectTimeoutMs} ms (${url.host})`)),
        connectTimeoutMs,
      );
      if (signal.aborted) return stop();
      signal.addEventListener('abort', stop, { once: true });
      req.on('socket', (socket: Socket) => {
        if (!socket.connecting) return onConnected();
        socket.once(scheme === 'https' ? 'secureConnect' : 'connect', onConnected);
      });
      req.on('error', (error: NodeJS.ErrnoException) => {
        const code = error.code ?? error.message;
        fail(
          !connected && NOT_SENT_CODES.has(error.code ?? '')
            ? new NotSentError(`${code} (${url.host})`)
            : new Error(code),
        );
      });
      req.on('response', (res: IncomingMessage) => {
        response = res;
        onResponse(res, { done, fail });
      });
      req.end(body);
    });
  }
}

/** How `onResponse` ends an attempt: with its value, or failed (the request is then destroyed). */
interface Settle<R> {
  done(value: R): void;
  fail(error: Error): void;
}

function flatHeaders(res: IncomingMessage): Record<string, string> {
  return Object.fromEntries(
    Object.entries(res.headers).map(([key, value]) => [
      key,
      Array.isArray(value) ? value.join(', ') : String(value ?? ''),
    ]),
  );
}
