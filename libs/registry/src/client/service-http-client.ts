import CircuitBreaker from 'opossum';
import { ServiceRequestError } from '../errors/service-request.error';
import { ServiceResponseError } from '../errors/service-response.error';
import { LoadBalancer } from '../interfaces/load-balancer.interface';
import { ServiceInstance } from '../interfaces/service-instance.interface';
import { ServiceRegistry } from '../interfaces/service-registry.interface';
import { ServiceRequest, ServiceResponse } from '../interfaces/service-request.interface';
import { registryMetrics } from '../registry.metrics';

export interface ServiceHttpClientOptions {
  timeoutMs: number;
  retries: number;
  breaker: { errorThresholdPercentage: number; volumeThreshold: number; resetTimeoutMs: number };
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

/** An attempt failed before anything reached the instance, so any request may go elsewhere. */
class NotSentError extends Error {}

/** The instance answered 5xx; counts against its circuit. */
class ServerError extends Error {}

/**
 * HTTP calls to one service by name: discovery, load balancing, a timeout per attempt, retry on
 * another instance, and one circuit breaker per instance. Refused connections, timeouts and 5xx
 * count against an instance's circuit; 4xx are returned as ServiceResponseError and do not.
 */
export class ServiceHttpClient {
  private readonly breakers = new Map<
    string,
    CircuitBreaker<[() => Promise<ServiceResponse>], ServiceResponse>
  >();

  constructor(
    readonly service: string,
    private readonly registry: Pick<ServiceRegistry, 'resolve'>,
    private readonly balancer: LoadBalancer,
    private readonly options: ServiceHttpClientOptions,
  ) {}

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
    const idempotent = request.idempotent ?? IDEMPOTENT.has(method);
    const instances = await this.registry.resolve(this.service, {
      version: request.version,
      tags: request.tags,
    });
    const tried = new Set<string>();
    const failures: { instanceId: string; reason: string }[] = [];
    let sent = 0;

    // Open circuits are skipped without using up an attempt.
    while (tried.size < instances.length && sent <= this.options.retries) {
      const candidates = instances.filter((instance) => !tried.has(instance.id));
      const instance = this.balancer.pick(candidates);
      tried.add(instance.id);
      const breaker = this.breakerFor(instance.id);
      this.balancer.acquire?.(instance);
      try {
        const response = await breaker.fire(() => this.send(instance, method, request));
        registryMetrics().clientRequests.inc({ service: this.service, outcome: 'success' });
        return response as ServiceResponse<T>;
      } catch (error) {
        if (error instanceof ServiceResponseError) {
          registryMetrics().clientRequests.inc({ service: this.service, outcome: 'client_error' });
          throw error;
        }
        const open = (error as { code?: string }).code === 'EOPENBREAKER';
        if (!open) sent += 1;
        registryMetrics().clientRequests.inc({
          service: this.service,
          outcome: open ? 'circuit_open' : 'failure',
        });
        failures.push({
          instanceId: instance.id,
          reason: open ? 'circuit open' : (error as Error).message,
        });
        const notSent = open || error instanceof NotSentError;
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

  close(): void {
    for (const breaker of this.breakers.values()) breaker.shutdown();
    this.breakers.clear();
  }

  private breakerFor(instanceId: string) {
    let breaker = this.breakers.get(instanceId);
    if (!breaker) {
      breaker = new CircuitBreaker((action: () => Promise<ServiceResponse>) => action(), {
        timeout: false,
        errorThresholdPercentage: this.options.breaker.errorThresholdPercentage,
        volumeThreshold: this.options.breaker.volumeThreshold,
        resetTimeout: this.options.breaker.resetTimeoutMs,
        errorFilter: (error: unknown) => error instanceof ServiceResponseError,
      });
      this.breakers.set(instanceId, breaker);
    }
    return breaker;
  }

  private async send(
    instance: ServiceInstance,
    method: string,
    request: ServiceRequest,
  ): Promise<ServiceResponse> {
    const host = instance.address.includes(':') ? `[${instance.address}]` : instance.address;
    const url = new URL(request.path, `http://${host}:${instance.port}`);
    for (const [key, value] of Object.entries(request.query ?? {}))
      url.searchParams.set(key, String(value));
    const headers: Record<string, string> = { ...request.headers };
    let body: string | undefined;
    if (request.body !== undefined) {
      body = typeof request.body === 'string' ? request.body : JSON.stringify(request.body);
      if (typeof request.body !== 'string') headers['content-type'] ??= 'application/json';
    }
    const timeoutMs = request.timeoutMs ?? this.options.timeoutMs;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const code = (error as { cause?: { code?: string } }).cause?.code;
      if (code === 'ECONNREFUSED') throw new NotSentError(`connection refused (${url.host})`);
      if ((error as Error).name === 'TimeoutError')
        throw new Error(`timed out after ${timeoutMs} ms`);
      throw new Error(code ?? (error as Error).message);
    }
    const text = await response.text();
    if (response.status >= 500) throw new ServerError(`answered ${response.status}`);
    if (response.status >= 400)
      throw new ServiceResponseError(this.service, instance.id, response.status, text);
    const isJson = response.headers.get('content-type')?.includes('json') && text.length > 0;
    return {
      status: response.status,
      headers: Object.fromEntries(response.headers),
      body: isJson ? JSON.parse(text) : text,
      instance,
    };
  }
}
