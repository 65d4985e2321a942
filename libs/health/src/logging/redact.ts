import { EventEmitter } from 'node:events';
import { types } from 'node:util';

export const REDACTED = '[REDACTED]';

const SECRET_KEY =
  /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api[-_]?key|.*password.*|passwd|pwd|.*secret.*|.*token.*|credentials?|private[-_]?key)$/i;
// scheme://user:password@host and scheme://:password@host → keep the user, drop the password.
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*):([^\s@/]+)@/gi;
const QUERY_SECRET = /([?&](?:[^=&\s]*(?:password|secret|token)[^=&\s]*|api[-_]?key)=)[^&\s#]*/gi;
const MAX_DEPTH = 8;

/**
 * Paths pino's own `redact` censors before anything is written: the headers and fields every
 * request and client error carries. Whatever they miss, `redactSecrets` catches by name and text.
 */
export const KNOWN_SECRET_PATHS: readonly string[] = [
  'req.headers.authorization',
  'req.headers["proxy-authorization"]',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["x-consul-token"]',
  'res.headers["set-cookie"]',
  'password',
  'token',
  'secret',
  '*.password',
  '*.token',
  '*.secret',
  '*.headers.authorization',
  '*.headers["x-consul-token"]',
];

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** Removes passwords from connection URLs and secret query parameters inside free text. */
export function redactText(text: string): string {
  return text.replace(URL_PASSWORD, `$1:${REDACTED}@`).replace(QUERY_SECRET, `$1${REDACTED}`);
}

function redactFields(
  entries: Iterable<[string, unknown]>,
  depth: number,
  seen: WeakSet<object>,
  into: Record<string, unknown> = {},
): Record<string, unknown> {
  for (const [key, inner] of entries) {
    into[key] =
      isSecretKey(key) && inner !== undefined && inner !== null
        ? REDACTED
        : redactSecrets(inner, depth + 1, seen);
  }
  return into;
}

/**
 * Deep copy with secret-named fields replaced and secrets in strings masked. Plain objects,
 * class instances (a DTO after ValidationPipe's `transform`), arrays, Maps, errors (with their
 * cause) and URLs are walked or rendered; event emitters (sockets, requests, responses, agents)
 * are never walked, only named: their state holds raw headers, tokens included.
 */
export function redactSecrets(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > MAX_DEPTH) return '[too deep]';
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((item) => redactSecrets(item, depth + 1, seen));
    if (value instanceof URL) return redactText(value.href);
    if (value instanceof Date || Buffer.isBuffer(value) || ArrayBuffer.isView(value)) return value;
    if (value instanceof Map) return redactFields(value.entries(), depth, seen);
    if (value instanceof Set) return redactSecrets([...value], depth, seen);
    if (value instanceof Error || types.isNativeError(value)) {
      const error = value as Error;
      const copy = redactFields(Object.entries(error), depth, seen, {
        type: error.name,
        message: redactText(error.message),
        stack: error.stack === undefined ? undefined : redactText(error.stack),
      });
      if (error.cause !== undefined) copy.cause = redactSecrets(error.cause, depth + 1, seen);
      return copy;
    }
    if (value instanceof EventEmitter) return `[${value.constructor?.name ?? 'EventEmitter'}]`;
    return redactFields(Object.entries(value), depth, seen);
  } finally {
    // A value met twice side by side (not a cycle) is copied twice.
    seen.delete(value);
  }
}
