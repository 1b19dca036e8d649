// The logger's status/warning lines (DataLogger._emit_event) as an events CSV: `timestamp, level, message`
// plus any extra columns, which go into logger_events.data as JSON (numbers as numbers, empty cells left
// out). The seed names the table but not the file shape, so an events file is recognised by its header:
// a timestamp, a level and a message column and none of the sample columns.
import { splitFields, type LineSink } from './csv-lines.js';
import { HEADER_ALIASES, normalizeHeader } from './header-map.js';
import type { ParseCounts, RejectedRow } from './row-parser.js';
import { copyText, timestampCell } from './values.js';

const LEVEL = ['level', 'severity', 'lvl', 'loglevel'];
const MESSAGE = ['message', 'msg', 'text', 'event', 'description'];
const SAMPLE_NAMES = new Set(
  Object.entries(HEADER_ALIASES).flatMap(([column, names]) =>
    column === 'recorded_at' ? [] : [normalizeHeader(column), ...names],
  ),
);

export function isEventsHeader(fields: readonly string[]): boolean {
  const names = fields.map((f) => normalizeHeader(f));
  return (
    names.some((n) => HEADER_ALIASES.recorded_at.includes(n)) &&
    names.some((n) => LEVEL.includes(n)) &&
    names.some((n) => MESSAGE.includes(n)) &&
    !names.some((n) => SAMPLE_NAMES.has(n))
  );
}

/** The header line of a file's first bytes (BOM stripped), or null when no complete line is there yet. */
export function firstLine(head: Buffer): string | null {
  let text: string;
  if (head[0] === 0xff && head[1] === 0xfe)
    text = head.subarray(2, head.length - (head.length % 2)).toString('utf16le');
  else if (head[0] === 0xfe && head[1] === 0xff)
    text = Buffer.from(head.subarray(2, head.length - (head.length % 2)))
      .swap16()
      .toString('utf16le');
  else text = head.toString('utf8', head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0);
  const m = /\r\n|\r|\n/.exec(text);
  return m ? text.slice(0, m.index) : null;
}

export const EVENT_COLUMNS = ['run_id', 'file_id', 'line_no', 'recorded_at', 'level', 'message', 'data'] as const;

export class EventParser implements LineSink {
  header: {
    fieldCount: number;
    ts: number;
    level: number;
    message: number;
    extras: [number, string][];
    unmapped: string[];
  } | null = null;
  headerText: string | null = null;
  readonly counts: ParseCounts = { dataLines: 0, accepted: 0, rejected: 0, blankLines: 0, nullCells: 0 };
  #out: string[] = [];
  readonly #prefix: string;

  constructor(private readonly options: { runId: number | null; fileId: number; onReject(row: RejectedRow): void }) {
    this.#prefix = `${options.runId ?? '\\N'}\t${options.fileId}\t`;
  }

  line(text: string, lineNo: number, terminated: boolean): void {
    if (text.trim() === '') {
      if (this.header) this.counts.blankLines += 1;
      return;
    }
    if (!this.header) {
      const fields = splitFields(text);
      const names = (Array.isArray(fields) ? fields : text.split(',')).map((f) => f.trim());
      const find = (aliases: readonly string[]) => names.findIndex((n) => aliases.includes(normalizeHeader(n)));
      const ts = find(HEADER_ALIASES.recorded_at);
      const level = find(LEVEL);
      const message = find(MESSAGE);
      const extras = names
        .map((n, i) => [i, n] as [number, string])
        .filter(([i]) => i !== ts && i !== level && i !== message);
      this.headerText = text;
      this.header = { fieldCount: names.length, ts, level, message, extras, unmapped: [] };
      return;
    }
    this.counts.dataLines += 1;
    const h = this.header;
    const reject = (reason: string) => {
      this.counts.rejected += 1;
      this.options.onReject({ lineNo, raw: text, reason });
    };
    if (!terminated) return reject('truncated last line (no newline at end of file)');
    const fields = splitFields(text);
    if (!Array.isArray(fields)) return reject(fields.error);
    if (fields.length !== h.fieldCount)
      return reject(`wrong field count: ${fields.length}, header has ${h.fieldCount}`);
    if (h.ts < 0 || h.level < 0 || h.message < 0) return reject('header has no timestamp, level or message column');
    const ts = timestampCell(fields[h.ts]!);
    if (ts === null) return reject(`unparsable timestamp "${fields[h.ts]!.slice(0, 64)}"`);
    const level = fields[h.level]!.trim();
    if (level === '') return reject('empty level');
    const data: Record<string, unknown> = {};
    for (const [i, name] of h.extras) {
      const v = fields[i]!;
      if (v === '') continue;
      data[name] = /^-?\d+(\.\d+)?$/.test(v) && Number.isFinite(Number(v)) ? Number(v) : v;
    }
    const json = Object.keys(data).length > 0 ? copyText(JSON.stringify(data)) : '\\N';
    this.#out.push(
      `${this.#prefix}${lineNo}\t${ts}\t${copyText(level.toLowerCase())}\t${copyText(fields[h.message]!)}\t${json}\n`,
    );
    this.counts.accepted += 1;
  }

  take(): Buffer {
    const out = Buffer.from(this.#out.join(''));
    this.#out = [];
    return out;
  }
}
