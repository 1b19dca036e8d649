// Streams a CSV file chunk by chunk (never whole), hashing the bytes as they pass, and hands complete physical
// lines to a callback. A record is one physical line: the logger never writes quoted newlines, so a stray
// quote is "broken quoting" on its own line instead of swallowing the rest of the file.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

export interface LineSink {
  /** `terminated` is false only for a last line with no newline after it (a write cut short). */
  line(text: string, lineNo: number, terminated: boolean): void;
  /** Called after each chunk's lines: the place to hand a batch downstream. */
  chunkDone?(): void;
}

export interface ReadSummary {
  sha256: string;
  bytes: number;
  lines: number;
}

/** Reads `path` in `chunkBytes` chunks; yields after each chunk so a consumer can stream its output. */
export async function* readLines(path: string, sink: LineSink, chunkBytes = 1 << 20): AsyncGenerator<void, ReadSummary> {
  const hash = createHash('sha256');
  const decoder = new StringDecoder('utf8');
  let carry = '';
  let lineNo = 0;
  let bytes = 0;
  let first = true;
  for await (const buf of createReadStream(path, { highWaterMark: chunkBytes }) as AsyncIterable<Buffer>) {
    hash.update(buf);
    bytes += buf.length;
    let text = carry + decoder.write(buf);
    if (first && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
    }
    let start = 0;
    for (let nl = text.indexOf('\n', start); nl !== -1; nl = text.indexOf('\n', start)) {
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      sink.line(text.slice(start, end), ++lineNo, true);
      start = nl + 1;
    }
    carry = text.slice(start);
    sink.chunkDone?.();
    yield;
  }
  carry += decoder.end();
  if (carry.length > 0) {
    sink.line(carry.endsWith('\r') ? carry.slice(0, -1) : carry, ++lineNo, false);
    sink.chunkDone?.();
    yield;
  }
  return { sha256: hash.digest('hex'), bytes, lines: lineNo };
}

/** Hashes a file without parsing it (the exactly-once key). */
export async function hashFile(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const buf of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    hash.update(buf);
    bytes += buf.length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

export type SplitResult = string[] | { error: string };

/** Splits one line into fields (RFC 4180 quoting within the line). */
export function splitFields(line: string): SplitResult {
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
