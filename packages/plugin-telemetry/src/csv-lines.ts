// Streams a CSV file chunk by chunk (never whole), hashing the bytes as they pass, and hands complete physical
// lines to a callback. A record is one physical line: the logger never writes quoted newlines, so a stray
// quote is "broken quoting" on its own line instead of swallowing the rest of the file.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';

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

/** Reads `path` in `chunkBytes` chunks; yields after each chunk so a consumer can stream its output. */
export async function* readLines(path: string, sink: LineSink, chunkBytes = 1 << 18): AsyncGenerator<void, ReadSummary> {
  const hash = createHash('sha256');
  const emit = sink.lineBytes
    ? sink.lineBytes.bind(sink)
    : (buf: Buffer, start: number, end: number, lineNo: number, terminated: boolean) => sink.line(buf.toString('utf8', start, end), lineNo, terminated);
  let carry: Buffer | null = null;
  let lineNo = 0;
  let bytes = 0;
  let first = true;
  for await (const chunk of createReadStream(path, { highWaterMark: chunkBytes }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
    let buf = chunk;
    let start = 0;
    if (carry) {
      const nl = buf.indexOf(10);
      if (nl === -1) {
        carry = Buffer.concat([carry, buf]);
        continue;
      }
      // The line split across chunks, joined once (lines are short; chunks are not).
      buf = Buffer.concat([carry, buf.subarray(0, nl + 1)]);
      carry = null;
      const end = buf.length - 1;
      emit(buf, start, end > start && buf[end - 1] === 13 ? end - 1 : end, ++lineNo, true);
      buf = chunk;
      start = nl + 1;
    } else if (first && buf.length > 0) {
      first = false;
      start = skipBom(buf);
    }
    for (let nl = buf.indexOf(10, start); nl !== -1; nl = buf.indexOf(10, start)) {
      emit(buf, start, nl > start && buf[nl - 1] === 13 ? nl - 1 : nl, ++lineNo, true);
      start = nl + 1;
    }
    if (start < buf.length) carry = Buffer.from(buf.subarray(start));
    sink.chunkDone?.();
    yield;
  }
  if (carry && carry.length > 0) {
    const end = carry.length;
    emit(carry, 0, end > 0 && carry[end - 1] === 13 ? end - 1 : end, ++lineNo, false);
    sink.chunkDone?.();
    yield;
  }
  return { sha256: hash.digest('hex'), bytes, lines: lineNo };
}

function skipBom(buf: Buffer): number {
  return buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
}

// Plan (trait), step and validator all need each file's hash; a file whose identity, size and times have not
// changed is not read again in this process. The ingest still hashes what it streams and compares.
const hashes = new Map<string, { key: string; sha256: string; bytes: number }>();

/** Hashes a file without parsing it (the exactly-once key). */
export async function hashFile(path: string): Promise<{ sha256: string; bytes: number }> {
  const st = await stat(path, { bigint: true });
  const key = `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
  const hit = hashes.get(path);
  if (hit?.key === key) return { sha256: hit.sha256, bytes: hit.bytes };
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const buf of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    hash.update(buf);
    bytes += buf.length;
  }
  const sha256 = hash.digest('hex');
  if (hashes.size >= 10_000) hashes.clear();
  hashes.set(path, { key, sha256, bytes });
  return { sha256, bytes };
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
