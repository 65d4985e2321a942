import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import { destination as destinationFor, stdTimeFunctions, type DestinationStream } from 'pino';
import { HEALTH_HEADERS, HEALTH_PATHS } from '../health.constants';
import type { ResolvedHealthOptions } from '../core/resolve-health-options';
import { KNOWN_SECRET_PATHS, REDACTED, redactSecrets, redactText } from './redact';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
// W3C trace context: version-traceid-parentid-flags.
const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Trusts a caller's x-request-id when it looks like an id, so one id follows a call across services. */
export function requestIdOf(req: IncomingMessage, res: ServerResponse): string {
  const given = header(req, HEALTH_HEADERS.requestId);
  const id = given && REQUEST_ID.test(given) ? given : randomUUID();
  res.setHeader(HEALTH_HEADERS.requestId, id);
  return id;
}

/** Saga id and trace id a request carries, as log fields (absent when the headers are). */
export function correlationOf(req: IncomingMessage): Record<string, string> {
  const fields: Record<string, string> = {};
  const sagaId = header(req, HEALTH_HEADERS.sagaId);
  if (sagaId && REQUEST_ID.test(sagaId)) fields.sagaId = sagaId;
  const trace = TRACEPARENT.exec(header(req, HEALTH_HEADERS.traceparent)?.trim() ?? '');
  if (trace) {
    fields.traceId = trace[1];
    fields.spanId = trace[2];
  }
  return fields;
}

function isProbe(url: string | undefined): boolean {
  const path = (url ?? '').split('?')[0];
  return (
    path === `/${HEALTH_PATHS.metrics}` ||
    path === `/${HEALTH_PATHS.controller}` ||
    path.startsWith(`/${HEALTH_PATHS.controller}/`)
  );
}

interface SerializedRequest {
  id?: unknown;
  method?: string;
  url?: string;
  headers?: Record<string, unknown>;
  remoteAddress?: string;
}

/** `req` and `res` stay raw for their serializers (which redact them); the rest is redacted. */
function redactLogObject(object: Record<string, unknown>): Record<string, unknown> {
  const { req, res, ...rest } = object;
  const redacted = redactSecrets(rest) as Record<string, unknown>;
  if (req !== undefined) redacted.req = req;
  if (res !== undefined) redacted.res = res;
  return redacted;
}

/** nestjs-pino parameters: JSON lines with service/instance/version, ids, and secrets masked. */
export function pinoParams(options: ResolvedHealthOptions): Params {
  const pinoHttp = {
    level: options.logLevel,
    base: { service: options.service, instance: options.instanceId, version: options.version },
    timestamp: stdTimeFunctions.isoTime,
    genReqId: requestIdOf,
    customProps: correlationOf,
    // Probes poll every few seconds: keep them out of the info stream.
    customLogLevel: (req: IncomingMessage, res: ServerResponse, error?: Error) => {
      if (isProbe(req.url)) return 'debug' as const;
      if (error || res.statusCode >= 500) return 'error' as const;
      return res.statusCode >= 400 ? ('warn' as const) : ('info' as const);
    },
    serializers: {
      req: (req: SerializedRequest) => ({
        id: req.id,
        method: req.method,
        url: redactText(req.url ?? ''),
        headers: redactSecrets(req.headers),
        remoteAddress: req.remoteAddress,
      }),
      res: (res: { statusCode?: number; headers?: Record<string, unknown> }) => ({
        statusCode: res.statusCode,
        headers: redactSecrets(res.headers),
      }),
    },
    // Known paths are censored by pino itself, after serializers; the one pass below catches the
    // rest by field name and by text (URLs, tokens in messages, class instances, errors).
    redact: { paths: [...KNOWN_SECRET_PATHS], censor: REDACTED },
    formatters: {
      level: (label: string) => ({ level: label }),
      log: redactLogObject,
    },
    hooks: {
      // Masks connection URLs and tokens written into the message text itself.
      logMethod(this: unknown, args: unknown[], method: (...inner: unknown[]) => void): void {
        method.apply(
          this,
          args.map((arg) => (typeof arg === 'string' ? redactText(arg) : arg)),
        );
      },
    },
  };
  // Synchronous stdout by default: Nest ends a SIGTERM shutdown by re-raising the signal, a
  // death without 'exit' event, so pino's async buffer (flushed on 'exit') would lose the last
  // lines, exactly the ones that say how the shutdown went.
  const destination = options.logDestination ?? destinationFor({ dest: 1, sync: true });
  return { pinoHttp: [pinoHttp, destination as DestinationStream] };
}
