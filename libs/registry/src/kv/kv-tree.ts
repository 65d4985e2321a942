/** Consul KV entries under `prefix` as a nested object: `<prefix>/db/pool` → `{ db: { pool } }`. */
export function kvTree(prefix: string, entries: readonly { Key: string; Value: string | null }[]) {
  const root: Record<string, unknown> = {};
  for (const [path, value] of kvPaths(prefix, entries)) {
    const parts = path.split('.');
    let node = root;
    for (const part of parts.slice(0, -1)) {
      const child = node[part];
      node = (typeof child === 'object' && child !== null ? child : (node[part] = {})) as Record<
        string,
        unknown
      >;
    }
    node[parts[parts.length - 1]] = value;
  }
  return root;
}

/** Dotted config paths (`db.pool`) and values; folders (keys ending in `/`) and empty names are skipped. */
export function kvPaths(
  prefix: string,
  entries: readonly { Key: string; Value: string | null }[],
): Map<string, string> {
  const base = prefix.endsWith('/') ? prefix : `${prefix}/`;
  const paths = new Map<string, string>();
  for (const entry of entries) {
    if (!entry.Key.startsWith(base) || entry.Key.endsWith('/')) continue;
    const parts = entry.Key.slice(base.length).split('/').filter(Boolean);
    if (parts.length === 0) continue;
    paths.set(parts.join('.'), entry.Value ?? '');
  }
  return paths;
}
