type Yaml =
  string | number | boolean | readonly Yaml[] | { readonly [key: string]: Yaml | undefined };

/**
 * YAML for plain data, block style: every string double-quoted as JSON writes it (a JSON string is
 * a valid YAML double-quoted scalar), so no value is ever read back as a number, a boolean or null.
 */
export function toYaml(value: Yaml, indent = 0): string {
  const pad = ' '.repeat(indent);
  if (Array.isArray(value)) {
    if (value.length === 0) return ' []\n';
    return `\n${value
      .map((item: Yaml) => {
        const rendered = toYaml(item, indent + 2);
        return isBlock(item) ? `${pad}-${rendered.replace(/^\n\s*/, ' ')}` : `${pad}-${rendered}`;
      })
      .join('')}`;
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined) as Array<
      [string, Yaml]
    >;
    if (entries.length === 0) return ' {}\n';
    return `\n${entries.map(([key, v]) => `${pad}${yamlKey(key)}:${toYaml(v, indent + 2)}`).join('')}`;
  }
  return ` ${typeof value === 'string' ? JSON.stringify(value) : String(value)}\n`;
}

function isBlock(value: Yaml): boolean {
  return (
    typeof value === 'object' &&
    (Array.isArray(value) ? value.length > 0 : Object.keys(value).length > 0)
  );
}

function yamlKey(key: string): string {
  return /^[A-Za-z_][\w.-]*$/.test(key) ? key : JSON.stringify(key);
}
