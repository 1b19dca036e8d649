// Turns logger CSV lines into COPY text for run_samples, and malformed lines into rejected rows with reasons.
// The hot path of a million-row ingest works on the file's bytes: a plain line (ASCII, no quotes, the usual
// timestamp shape, plain decimals or empty cells) is checked byte by byte and its cells are copied through
// to the COPY buffer as written, with no string or array per row. Anything else takes the string path below,
// which is the reference: both give the same COPY text for the lines the fast path accepts.
import { splitFields, type LineSink } from './csv-lines.js';
import { mapHeader, type HeaderMapping, type MappedColumn } from './header-map.js';
import { SAMPLE_COLUMNS, type SampleColumn } from './schema.js';
import { numberCell, timestampCell } from './values.js';

export interface RejectedRow {
  lineNo: number;
  raw: string;
  reason: string;
}

export interface ParsedSample {
  lineNo: number;
  recordedAt: string;
  values: Record<SampleColumn, string | null>;
}

export interface RowParserOptions {
  /** run_id written in each COPY line. */
  runId: number;
  aliases?: Partial<Record<MappedColumn, readonly string[]>>;
  onReject(row: RejectedRow): void;
  /** For parity and spot checks: called with each accepted row's parsed values. */
  onSample?(sample: ParsedSample): void;
}

export interface ParseCounts {
  /** Non-blank lines after the header: what "CSV data lines" means in every report. */
  dataLines: number;
  accepted: number;
  rejected: number;
  blankLines: number;
  /** Cells that were non-numeric or empty and became NULL. */
  nullCells: number;
}

const START_BYTES = 16 * 1024;
const NOTHING = Buffer.alloc(0);

export class RowParser implements LineSink {
  header: HeaderMapping | null = null;
  headerText: string | null = null;
  readonly counts: ParseCounts = { dataLines: 0, accepted: 0, rejected: 0, blankLines: 0, nullCells: 0 };
  // Rows go straight into a byte buffer: per-row strings then die young instead of being promoted by the GC.
  // It starts small and grows: follow() makes a parser per grown file every round for a few lines, and 512 KiB
  // each (then 512 KiB again at every take) was most of its allocation and GC time.
  #buf: Buffer = Buffer.allocUnsafe(START_BYTES);
  #len = 0;
  #columnIndex: number[] = [];
  readonly #options: RowParserOptions;
  readonly #prefix: string;
  readonly #prefixBytes: Buffer;
  /** Field boundaries of the current line: field i is [#pos[i], #pos[i + 1] - 1). */
  #pos = new Int32Array(0);

  constructor(options: RowParserOptions) {
    this.#options = options;
    this.#prefix = `${options.runId}\t`;
    this.#prefixBytes = Buffer.from(this.#prefix);
  }

  lineBytes(buf: Buffer, start: number, end: number, lineNo: number, terminated: boolean): void {
    if (
      this.header === null ||
      !terminated ||
      this.#options.onSample !== undefined ||
      !this.#fast(buf, start, end, lineNo)
    ) {
      this.line(buf.toString('utf8', start, end), lineNo, terminated);
    }
  }

  /** The byte path; false (having written and counted nothing) when the line needs the string path. */
  #fast(buf: Buffer, start: number, end: number, lineNo: number): boolean {
    const header = this.header!;
    const n = header.fieldCount;
    const ts = header.timestampIndex;
    // shortcuts; the timestamp check below refuses both too
    // Stryker disable next-line ConditionalExpression,LogicalOperator
    if (ts < 0 || end === start) return false;
    // reuse of the array only (n + 1 slots are written before use)
    // Stryker disable next-line ConditionalExpression,ArithmeticOperator
    if (this.#pos.length !== n + 1) this.#pos = new Int32Array(n + 1);
    const pos = this.#pos;
    let f = 0;
    pos[0] = start;
    for (let i = start; i < end; i++) {
      const b = buf[i]!;
      if (b === 44) {
        // Stryker disable next-line EqualityOperator: one field too many is refused by the count check below as well
        if (++f >= n) return false;
        pos[f] = i + 1;
      } else if (b === 34 || b === 92 || b < 32 || b > 126) {
        return false;
      }
    }
    if (f !== n - 1) return false;
    pos[n] = end + 1;
    const tsStart = pos[ts]!;
    const tsEnd = pos[ts + 1]! - 1;
    if (!plainTimestamp(buf, tsStart, tsEnd)) return false;
    const columns = this.#columnIndex;
    // Stryker disable next-line EqualityOperator: one step past the end reads no column (undefined is not >= 0)
    for (let c = 0; c < columns.length; c++) {
      const index = columns[c]!;
      if (index >= 0 && !plainNumberOrEmpty(buf, pos[index]!, pos[index + 1]! - 1)) return false;
    }
    // Accepted: prefix, line number, timestamp (T -> space, fraction cut to microseconds), cells as written.
    if (this.#len + (end - start) + 128 > this.#buf.length) this.#grow(end - start + 128);
    const out = this.#buf;
    let o = this.#len;
    o += this.#prefixBytes.copy(out, o);
    o = writeInt(out, o, lineNo);
    out[o++] = 9;
    // Stryker disable next-line EqualityOperator: at exactly 26 both sides are the same
    const tsCopyEnd = tsEnd - tsStart > 26 ? tsStart + 26 : tsEnd;
    for (let i = tsStart; i < tsCopyEnd; i++) out[o++] = buf[i]!;
    out[o - (tsCopyEnd - tsStart) + 10] = 32;
    let nulls = 0;
    for (let c = 0; c < columns.length; c++) {
      out[o++] = 9;
      const index = columns[c]!;
      const a = index < 0 ? 0 : pos[index]!;
      const z = index < 0 ? 0 : pos[index + 1]! - 1;
      if (a === z) {
        out[o++] = 92;
        out[o++] = 78;
        nulls += 1;
      } else {
        for (let i = a; i < z; i++) out[o++] = buf[i]!;
      }
    }
    out[o++] = 10;
    this.#len = o;
    this.counts.dataLines += 1;
    this.counts.accepted += 1;
    this.counts.nullCells += nulls;
    return true;
  }

  #grow(extra: number): void {
    // Stryker disable next-line ArithmeticOperator: any size of at least twice the buffer holds the row
    const bigger = Buffer.allocUnsafe(this.#buf.length * 2 + extra);
    this.#buf.copy(bigger, 0, 0, this.#len);
    this.#buf = bigger;
  }

  /** COPY text (bytes) accumulated since the last call. */
  take(): Buffer {
    if (this.#len === 0) return NOTHING;
    const out = this.#buf.subarray(0, this.#len);
    // As large as what this step produced: a bulk load's chunks keep chunk-sized buffers, a few lines small ones.
    // Stryker disable next-line MethodExpression: only the starting size of the next buffer (it grows on demand)
    this.#buf = Buffer.allocUnsafe(Math.max(START_BYTES, this.#len));
    this.#len = 0;
    return out;
  }

  line(text: string, lineNo: number, terminated: boolean): void {
    if (text.trim() === '') {
      if (this.header) this.counts.blankLines += 1;
      return;
    }
    if (!this.header) {
      const fields = splitFields(text);
      this.headerText = text;
      this.header = mapHeader(
        Array.isArray(fields) ? fields.map((f) => f.trim()) : text.split(','),
        this.#options.aliases,
      );
      this.#columnIndex = SAMPLE_COLUMNS.map((c) => this.header!.byIndex.indexOf(c));
      return;
    }
    this.counts.dataLines += 1;
    if (!terminated) return this.#reject(lineNo, text, 'truncated last line (no newline at end of file)');
    const fields = splitFields(text);
    if (!Array.isArray(fields)) return this.#reject(lineNo, text, fields.error);
    if (fields.length !== this.header.fieldCount) {
      return this.#reject(lineNo, text, `wrong field count: ${fields.length}, header has ${this.header.fieldCount}`);
    }
    if (this.header.timestampIndex < 0) return this.#reject(lineNo, text, 'header has no timestamp column');
    const rawTs = fields[this.header.timestampIndex]!;
    const ts = timestampCell(rawTs);
    if (ts === null) return this.#reject(lineNo, text, `unparsable timestamp "${rawTs.slice(0, 64)}"`);
    let row = `${this.#prefix}${lineNo}\t${ts}`;
    const sample = this.#options.onSample ? ({ lineNo, recordedAt: ts, values: {} } as ParsedSample) : null;
    for (let c = 0; c < this.#columnIndex.length; c++) {
      const index = this.#columnIndex[c]!;
      const value = index < 0 ? null : numberCell(fields[index]!);
      if (value === null) {
        this.counts.nullCells += 1;
        row += '\t\\N';
      } else {
        row += `\t${value}`;
      }
      if (sample) sample.values[SAMPLE_COLUMNS[c]!] = value;
    }
    row += '\n';
    if (this.#len + row.length * 3 > this.#buf.length) this.#grow(row.length * 3);
    // Stryker disable next-line StringLiteral: utf8 is Buffer.write's default
    this.#len += this.#buf.write(row, this.#len, 'utf8');
    this.counts.accepted += 1;
    if (sample) this.#options.onSample!(sample);
  }

  #reject(lineNo: number, raw: string, reason: string): void {
    this.counts.rejected += 1;
    this.#options.onReject({ lineNo, raw, reason });
  }
}

const DAYS = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function digit(buf: Buffer, i: number): number {
  const d = buf[i]! - 48;
  return d >= 0 && d <= 9 ? d : -1000;
}

/**
 * `YYYY-MM-DD HH:MM:SS` or `YYYY-MM-DDTHH:MM:SS`, optionally `.` + 1-9 digits, no zone: the logger's own shape,
 * a valid date and time (what timestampCell accepts for it). Other shapes go to the string path.
 */
export function plainTimestamp(buf: Buffer, s: number, e: number): boolean {
  const len = e - s;
  if (len !== 19 && (len < 21 || len > 29 || buf[s + 19] !== 46)) return false;
  if (
    buf[s + 4] !== 45 ||
    buf[s + 7] !== 45 ||
    (buf[s + 10] !== 32 && buf[s + 10] !== 84) ||
    buf[s + 13] !== 58 ||
    buf[s + 16] !== 58
  )
    return false;
  const year = digit(buf, s) * 1000 + digit(buf, s + 1) * 100 + digit(buf, s + 2) * 10 + digit(buf, s + 3);
  const month = digit(buf, s + 5) * 10 + digit(buf, s + 6);
  const day = digit(buf, s + 8) * 10 + digit(buf, s + 9);
  const hour = digit(buf, s + 11) * 10 + digit(buf, s + 12);
  const minute = digit(buf, s + 14) * 10 + digit(buf, s + 15);
  const second = digit(buf, s + 17) * 10 + digit(buf, s + 18);
  if (
    year < 1 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    hour < 0 ||
    hour > 23 ||
    minute < 0 ||
    minute > 59 ||
    second < 0 ||
    second > 59
  )
    return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 && leap ? 29 : DAYS[month]!)) return false;
  for (let i = s + 20; i < e; i++) if (digit(buf, i) < 0) return false;
  return true;
}

/** Empty, or what numberCell passes through unchanged: [+-] 1-15 digits [. 0-15 digits]. */
export function plainNumberOrEmpty(buf: Buffer, s: number, e: number): boolean {
  if (s === e) return true;
  let i = s;
  if (buf[i] === 43 || buf[i] === 45) i++;
  const intStart = i;
  // the byte after a cell is a comma or a line end, never a digit
  // Stryker disable next-line ConditionalExpression,EqualityOperator
  while (i < e && digit(buf, i) >= 0) i++;
  const intDigits = i - intStart;
  if (intDigits < 1 || intDigits > 15) return false;
  if (i === e) return true;
  if (buf[i] !== 46) return false;
  i++;
  const fracStart = i;
  // the byte after a cell is a comma or a line end, never a digit
  // Stryker disable next-line ConditionalExpression,EqualityOperator
  while (i < e && digit(buf, i) >= 0) i++;
  return i === e && i - fracStart <= 15;
}

function writeInt(out: Buffer, o: number, value: number): number {
  // a shortcut; the loop below writes 1-9 the same (line numbers start at 1)
  // Stryker disable next-line ConditionalExpression,BlockStatement
  if (value < 10) {
    out[o] = 48 + value;
    return o + 1;
  }
  let digits = 0;
  for (let v = value; v > 0; v = Math.floor(v / 10)) digits++;
  let p = o + digits - 1;
  for (let v = value; v > 0; v = Math.floor(v / 10)) out[p--] = 48 + (v % 10);
  return o + digits;
}
