// The real batch tools' log format: one line per run,
// `time=<ISO> run=<runid> status=migrated|unchanged|dry-run|failed|missing duration_ms=<n> key=value...`.
// Values with spaces, quotes or `=` are double-quoted with JSON escaping so a line stays one line.
import { redact } from '@tidemark/core';

export type RunStatus = 'migrated' | 'unchanged' | 'dry-run' | 'failed' | 'missing';

function quote(value: string): string {
  return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
}

export function formatLogLine(fields: {
  time?: Date;
  run: string;
  status: RunStatus;
  durationMs: number;
  extra?: Record<string, string | number | boolean | undefined | readonly string[]>;
}): string {
  const parts = [
    `time=${(fields.time ?? new Date()).toISOString()}`,
    `run=${quote(fields.run)}`,
    `status=${fields.status}`,
    `duration_ms=${Math.round(fields.durationMs)}`,
  ];
  for (const [key, value] of Object.entries(fields.extra ?? {})) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(',') : String(value);
    parts.push(`${key}=${quote(redact(text))}`);
  }
  return parts.join(' ');
}

/** Parses a line back (for tests and for tools that read the log). */
export function parseLogLine(line: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /(\w+)=("(?:[^"\\]|\\.)*"|\S+)/g;
  for (const m of line.matchAll(re)) out[m[1]!] = m[2]!.startsWith('"') ? (JSON.parse(m[2]!) as string) : m[2]!;
  return out;
}
