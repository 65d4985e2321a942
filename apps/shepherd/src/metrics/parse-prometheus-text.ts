import { MetricSample } from './metric-sample';

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/**
 * The samples of a Prometheus text exposition (version 0.0.4, what prom-client serves). Comments,
 * HELP/TYPE lines and lines that are not samples are skipped, never thrown on: one odd line
 * must not hide the rest of an instance.
 */
export function parsePrometheusText(text: string): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const match = LINE.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[3] ?? '').matchAll(LABEL)) {
      labels[key] = value.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    }
    const value = Number(
      match[4] === '+Inf' ? Infinity : match[4] === '-Inf' ? -Infinity : match[4],
    );
    if (!Number.isNaN(value)) samples.push({ name: match[1], labels, value });
  }
  return samples;
}
