/** `1.5 s` under ten seconds, `42 s` above: how every `herd` line writes a duration. */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}
