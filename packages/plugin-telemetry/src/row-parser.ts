// Turns logger CSV lines into COPY text for run_samples, and malformed lines into rejected rows with reasons.
// Synchronous per line and allocation-light: this is the hot path of a million-row ingest.
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

export class RowParser implements LineSink {
  header: HeaderMapping | null = null;
  headerText: string | null = null;
  readonly counts: ParseCounts = { dataLines: 0, accepted: 0, rejected: 0, blankLines: 0, nullCells: 0 };
  // Rows go straight into a byte buffer: per-row strings then die young instead of being promoted by the GC.
  #buf: Buffer = Buffer.allocUnsafe(1 << 22);
  #len = 0;
  #columnIndex: number[] = [];
  readonly #options: RowParserOptions;
  readonly #prefix: string;

  constructor(options: RowParserOptions) {
    this.#options = options;
    this.#prefix = `${options.runId}\t`;
  }

  /** COPY text (bytes) accumulated since the last call. */
  take(): Buffer {
    const out = this.#buf.subarray(0, this.#len);
    this.#buf = Buffer.allocUnsafe(Math.max(1 << 22, this.#len));
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
      this.header = mapHeader(Array.isArray(fields) ? fields.map((f) => f.trim()) : text.split(','), this.#options.aliases);
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
    if (this.#len + row.length * 3 > this.#buf.length) {
      const bigger = Buffer.allocUnsafe(this.#buf.length * 2 + row.length * 3);
      this.#buf.copy(bigger, 0, 0, this.#len);
      this.#buf = bigger;
    }
    this.#len += this.#buf.write(row, this.#len, 'utf8');
    this.counts.accepted += 1;
    if (sample) this.#options.onSample!(sample);
  }

  #reject(lineNo: number, raw: string, reason: string): void {
    this.counts.rejected += 1;
    this.#options.onReject({ lineNo, raw, reason });
  }
}
