import type { Readable } from 'node:stream';
import { ServiceInstance } from './service-instance.interface';

export interface ServiceRequest {
  /** Default: GET. */
  method?: string;
  /** Path on the target, starting with `/`. */
  path: string;
  query?: Record<string, string | number | boolean>;
  headers?: Record<string, string>;
  /** Sent as JSON, unless it is a string or bytes (a Buffer or Uint8Array), sent as they are. */
  body?: unknown;
  /** Per-attempt time for the answer once connected. Default: the client's `timeoutMs`. */
  timeoutMs?: number;
  /** Per-attempt time to connect. Default: the client's `connectTimeoutMs`. */
  connectTimeoutMs?: number;
  /** Overall time, every attempt included. Default: the client's `deadlineMs`. */
  deadlineMs?: number;
  /** The caller's cancellation: aborting stops the request at once and rejects with its reason. */
  signal?: AbortSignal;
  /**
   * May the request be sent again to another instance after it may have reached one?
   * Default: true for GET, HEAD, OPTIONS, PUT, DELETE, and for a request with an
   * `Idempotency-Key` header (the target answers a repeat as it answered the first). A request that provably never left
   * (connection refused or timed out, host unreachable, open circuit) is always tried on another
   * instance.
   */
  idempotent?: boolean;
  /** Only instances of this version (Meta.version). */
  version?: string;
  /** Only instances carrying all these tags. */
  tags?: string[];
}

export interface ServiceResponse<T = unknown> {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON when the response says so, else text. */
  body: T;
  /** The instance that answered. */
  instance: ServiceInstance;
}

/** A `stream()` call: a GET without a body; the other options mean what they mean for `request`. */
export type ServiceStreamRequest = Omit<ServiceRequest, 'path' | 'method' | 'body' | 'idempotent'>;

export interface ServiceStreamResponse {
  /** Any status below 500 (a 5xx moves to another instance). */
  status: number;
  headers: Record<string, string>;
  /** The body as it arrives: read it to its end or `destroy()` it, or its socket stays open. */
  body: Readable;
  /** The instance that answered. */
  instance: ServiceInstance;
}
