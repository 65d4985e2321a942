import { types } from 'node:util';

export const REDACTED = '[REDACTED]';

const SECRET_KEY =
  /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api[-_]?key|.*password.*|passwd|pwd|.*secret.*|.*token.*|credentials?|private[-_]?key)$/i;
// scheme://user:password@host → keep the user, drop the password.
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+):([^\s@/]+)@/gi;
const QUERY_SECRET = /([?&](?:[^=&\s]*(?:password|secret|token)[^=&\s]*|api[-_]?key)=)[^&\s#]*/gi;
const MAX_DEPTH = 8;

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** Removes passwords from connection URLs and secret query parameters inside free text. */
export function redactText(text: string): string {
  return text.replace(URL_PASSWORD, `$1:${REDACTED}@`).replace(QUERY_SECRET, `$1${REDACTED}`);
}

// Any realm's Object.prototype (Node core builds req.headers outside Jest's vm context), or none.
function isPlainObject(value: object): value is Record<string, unknown> {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/**
 * Deep copy with secret-named fields replaced and secrets in strings masked. Only plain objects,
 * arrays and errors are walked: sockets, requests and class instances are left to their serializers.
 */
export function redactSecrets(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return value;
  if (seen.has(value)) return value;
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => redactSecrets(item, depth + 1, seen));
  if (value instanceof Error || types.isNativeError(value)) {
    const copy: Record<string, unknown> = {
      type: value.name,
      message: redactText(value.message),
      stack: value.stack === undefined ? undefined : redactText(value.stack),
    };
    for (const [key, inner] of Object.entries(value)) {
      copy[key] = isSecretKey(key) ? REDACTED : redactSecrets(inner, depth + 1, seen);
    }
    return copy;
  }
  if (!isPlainObject(value)) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    copy[key] =
      isSecretKey(key) && inner !== undefined && inner !== null
        ? REDACTED
        : redactSecrets(inner, depth + 1, seen);
  }
  return copy;
}
