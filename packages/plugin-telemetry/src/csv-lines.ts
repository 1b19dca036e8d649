// The line sink the reader (line-reader.ts) feeds, and splitting one line into fields. A record is one
// physical line: the logger never writes quoted newlines, so a stray quote is "broken quoting" on its own
// line instead of swallowing the rest of the file.
import { readRange } from './line-reader.js';

export interface LineSink {
  /** `terminated` is false only for a last line with no newline after it (a write cut short). */
  line(text: string, lineNo: number, terminated: boolean): void;
  /**
   * The same line as bytes `buf[start, end)` (no CR/LF), when the sink can use them without decoding: the
   * ingest's fast path. Lines are cut at 0x0A, which never occurs inside a UTF-8 sequence.
   */
  lineBytes?(buf: Buffer, start: number, end: number, lineNo: number, terminated: boolean): void;
  /** Called after each chunk's lines: the place to hand a batch downstream. */
  chunkDone?(): void;
}

export interface ReadSummary {
  sha256: string;
  bytes: number;
  lines: number;
}

/** Reads a whole closed file (see readRange): line ends LF/CRLF/CR, UTF-8 or UTF-16 with BOM. */
export async function* readLines(
  path: string,
  sink: LineSink,
  options: { name?: string; end?: number } = {},
): AsyncGenerator<void, ReadSummary> {
  const summary = yield* readRange(path, options.name ?? path, sink, {
    closed: true,
    ...(options.end === undefined ? {} : { end: options.end }),
  });
  return { sha256: summary.sha256, bytes: summary.offset, lines: summary.lines };
}

export type SplitResult = string[] | { error: string };

/** Splits one line into fields (RFC 4180 quoting within the line). */
export function splitFields(line: string): SplitResult {
  // a shortcut; the loop below splits a line without quotes the same
  // Stryker disable next-line ConditionalExpression,StringLiteral
  if (line.indexOf('"') === -1) return line.split(',');
  const fields: string[] = [];
  let i = 0;
  const n = line.length;
  for (;;) {
    if (line.charCodeAt(i) === 34) {
      let value = '';
      let j = i + 1;
      for (;;) {
        const q = line.indexOf('"', j);
        if (q === -1) return { error: 'broken quoting: unterminated quoted field' };
        value += line.slice(j, q);
        if (line.charCodeAt(q + 1) === 34) {
          value += '"';
          j = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      fields.push(value);
      if (i === n) return fields;
      if (line.charCodeAt(i) !== 44) return { error: 'broken quoting: text after a closing quote' };
      i += 1;
    } else {
      const comma = line.indexOf(',', i);
      const value = comma === -1 ? line.slice(i) : line.slice(i, comma);
      if (value.indexOf('"') !== -1) return { error: 'broken quoting: quote inside an unquoted field' };
      fields.push(value);
      if (comma === -1) return fields;
      i = comma + 1;
    }
  }
}
