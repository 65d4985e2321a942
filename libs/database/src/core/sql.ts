/** Identifiers are validated against IDENTIFIER_PATTERN first; quoting still guards reserved words. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
