// Reads a byte range of a CSV file that may still be growing and hands each complete line to a sink. Line
// ends: LF, CRLF and CR alone (old Mac-style loggers). Encodings: UTF-8 with or without BOM, UTF-16 LE/BE
// with BOM (transcoded per line). The range ends at the last complete line: a final line without a line end
// is held back (not consumed) unless the file is closed, when it is handed on as unterminated. Only consumed
// bytes enter the hash, so the hash continues the ingested prefix and the offset after it is the next start.
import { TidemarkError } from '@tidemark/core';
import { createHash, type Hash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import type { LineSink } from './csv-lines.js';

export type FileEncoding = 'utf8' | 'utf8-bom' | 'utf16le' | 'utf16be';

export interface RangeOptions {
  /** Byte offset of the first unread byte (0, or the offset after the last consumed line). */
  start?: number;
  /** Stop before this byte; default the file's size when opened. */
  end?: number;
  /** The file is closed: a final line without a line end is handed on (unterminated) and consumed. */
  closed?: boolean;
  /** Line number of the last consumed line (physical lines before `start`). */
  linesBefore?: number;
  /** Hash of the bytes before `start`, continued with the consumed bytes (default: a fresh sha256). */
  hash?: Hash;
  chunkBytes?: number;
  /**
   * Bytes already read (the plan's snapshot: data from `position`, and the file's first 4 bytes): served from memory.
   */
  snapshot?: { position: number; data: Buffer; head: Buffer };
}

export interface RangeSummary {
  /** sha256 of bytes [0, offset): the ingested prefix. */
  sha256: string;
  /** Offset after the last consumed byte: where the next read starts. */
  offset: number;
  /** Physical lines consumed in total (including those before `start`). */
  lines: number;
  /** Bytes held back after `offset` (a final line still being written). */
  held: number;
  encoding: FileEncoding;
  /** Bytes the hash saw (the ingested prefix's length). */
  bytes: number;
  /** The hash state at `offset`, to continue with the file's next bytes. */
  state: Hash;
}

/** A file whose bytes cannot be decoded in its encoding: named with the byte offset and the line. */
export class UndecodableError extends TidemarkError {
  constructor(
    readonly file: string,
    readonly byteOffset: number,
    readonly lineNo: number,
    readonly detail: string,
  ) {
    super('STEP_FAILED', `file "${file}": cannot decode byte ${byteOffset} (line ${lineNo}): ${detail}`, {
      plugin: 'plugin-telemetry',
    });
    this.name = 'UndecodableError';
  }
}

/** The encoding from the first bytes (BOM) and the BOM's length. */
export function detectEncoding(head: Buffer): { encoding: FileEncoding; bom: number } {
  if (head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf)
    return { encoding: 'utf8-bom', bom: 3 };
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf16le', bom: 2 };
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf16be', bom: 2 };
  return { encoding: 'utf8', bom: 0 };
}

const EMPTY = Buffer.alloc(0);
const LF = 10;
const CR = 13;

/** Yields after each chunk's lines (so a consumer can stream what the sink produced); returns the summary. */
export async function* readRange(
  path: string,
  name: string,
  sink: LineSink,
  options: RangeOptions = {},
): AsyncGenerator<void, RangeSummary> {
  const snap = options.snapshot;
  let fh: FileHandle | undefined;
  const file = async () => (fh ??= await open(path, 'r'));
  /** Reads from the snapshot when it holds the range, else from the file (opened on first need). */
  const read = async (buf: Buffer, length: number, position: number): Promise<number> => {
    if (snap && position === 0 && length <= snap.head.length) return snap.head.copy(buf, 0, 0, length);
    if (snap && position >= snap.position && position + length <= snap.position + snap.data.length) {
      return snap.data.copy(buf, 0, position - snap.position, position - snap.position + length);
    }
    return (await (await file()).read(buf, 0, length, position)).bytesRead;
  };
  try {
    const size = options.end ?? (await (await file()).stat()).size;
    const chunkBytes = options.chunkBytes ?? 1 << 18;
    const hash = options.hash ?? createHash('sha256');
    const start = options.start ?? 0;
    const head = Buffer.alloc(4);
    const headRead = await read(head, 4, 0);
    const { encoding, bom } = detectEncoding(head.subarray(0, headRead));
    const wide = encoding === 'utf16le' || encoding === 'utf16be';
    const unit = wide ? 2 : 1;
    const lo = encoding === 'utf16be' ? 1 : 0; // index of the low byte within a code unit
    // A lone CR as the previous line end means a CR-only file: a CR at the end of the data then ends a line
    // (otherwise it waits for a possible LF).
    let crOnly = false;
    if (start > bom) {
      const prev = Buffer.alloc(unit);
      await read(prev, unit, start - unit);
      crOnly = unitAt(prev, 0, wide, lo) === CR;
    }
    let lineNo = options.linesBefore ?? 0;
    let offset = start; // file offset of buf[0]; everything before it is consumed
    let carry = EMPTY;
    let firstTerminatorSeen = start > bom;
    const decoder = wide ? new TextDecoder(encoding === 'utf16le' ? 'utf-16le' : 'utf-16be', { fatal: true }) : null;

    const emit = (buf: Buffer, s: number, e: number, terminated: boolean) => {
      lineNo += 1;
      if (!wide) {
        const bad = firstBadUtf8(buf, s, e);
        if (bad >= 0)
          throw new UndecodableError(
            name,
            offset + bad,
            lineNo,
            buf[bad] === 0 ? 'NUL byte (a UTF-16 file without a byte order mark?)' : 'not valid UTF-8',
          );
        if (sink.lineBytes) sink.lineBytes(buf, s, e, lineNo, terminated);
        else sink.line(buf.toString('utf8', s, e), lineNo, terminated);
        return;
      }
      let text: string;
      try {
        text = decoder!.decode(buf.subarray(s, e));
      } catch {
        throw new UndecodableError(
          name,
          offset + s + firstBadUtf16(buf, s, e, lo),
          lineNo,
          `not valid ${encoding === 'utf16le' ? 'UTF-16LE' : 'UTF-16BE'}`,
        );
      }
      const nul = text.indexOf('\u0000');
      if (nul >= 0) throw new UndecodableError(name, offset + s + nul * 2, lineNo, 'NUL character');
      if (sink.lineBytes) {
        const b = Buffer.from(text, 'utf8');
        sink.lineBytes(b, 0, b.length, lineNo, terminated);
      } else sink.line(text, lineNo, terminated);
    };

    let pos = start; // next byte to read
    while (pos < size) {
      const want = Math.min(chunkBytes, size - pos);
      const chunk = Buffer.allocUnsafe(want);
      const bytesRead = await read(chunk, want, pos);
      if (bytesRead === 0) break; // the file shrank under us: stop at what exists
      pos += bytesRead;
      const buf =
        carry.length > 0 ? Buffer.concat([carry, chunk.subarray(0, bytesRead)]) : chunk.subarray(0, bytesRead);
      const atEnd = pos >= size;
      let ls = offset === 0 ? bom : 0; // the BOM is consumed (hashed) but is no part of the first line
      if (offset === 0 && buf.length < bom) ls = 0;
      if (!wide) {
        // Native search for LF and CRLF (the logger's line ends); a lone CR hands over to the loop below.
        let cr = buf.indexOf(CR, ls);
        for (let nl = buf.indexOf(LF, ls); nl !== -1; nl = buf.indexOf(LF, ls)) {
          if (cr !== -1 && cr < nl - 1) break;
          const crlf = cr !== -1 && cr === nl - 1;
          emit(buf, ls, crlf ? nl - 1 : nl, true);
          ls = nl + 1;
          firstTerminatorSeen = true;
          if (crlf) cr = buf.indexOf(CR, ls);
        }
      }
      let i = ls;
      const n = buf.length - ((buf.length - ls) % unit); // whole code units only
      for (; i < n; i += unit) {
        const c = unitAt(buf, i, wide, lo);
        if (c === LF) {
          emit(buf, ls, i, true);
          ls = i + unit;
          firstTerminatorSeen = true;
        } else if (c === CR) {
          if (i + unit < n) {
            const crlf = unitAt(buf, i + unit, wide, lo) === LF;
            if (!firstTerminatorSeen) crOnly = !crlf;
            firstTerminatorSeen = true;
            emit(buf, ls, i, true);
            if (crlf) i += unit;
            ls = i + unit;
          } else if (atEnd && (crOnly || options.closed)) {
            emit(buf, ls, i, true);
            ls = i + unit;
            firstTerminatorSeen = true;
          } else {
            break; // a CR at the end of the data: wait for the next byte (it may be the LF of a CRLF)
          }
        }
      }
      if (ls > 0) hash.update(buf.subarray(0, ls));
      offset += ls;
      carry = ls < buf.length ? Buffer.from(buf.subarray(ls)) : EMPTY;
      sink.chunkDone?.();
      yield;
    }
    let held = carry.length;
    if (held > 0 && options.closed) {
      // A closed file's last line without a line end: handed on as unterminated (a write cut short).
      const end = carry.length - (carry.length % unit);
      const trailingCr = end >= unit && unitAt(carry, end - unit, wide, lo) === CR;
      if (end > 0) emit(carry, 0, trailingCr ? end - unit : end, trailingCr);
      hash.update(carry);
      offset += carry.length;
      held = 0;
      sink.chunkDone?.();
      yield;
    }
    const state = hash.copy();
    return { sha256: hash.digest('hex'), offset, lines: lineNo, held, encoding, bytes: offset, state };
  } finally {
    await fh?.close();
  }
}

function unitAt(buf: Buffer, i: number, wide: boolean, lo: number): number {
  if (!wide) return buf[i]!;
  return buf[i + 1 - lo]! === 0 ? buf[i + lo]! : 0xffff;
}

/** Index of the first byte in [s, e) that is not valid UTF-8 or is NUL; -1 when the line is clean. */
export function firstBadUtf8(buf: Buffer, s: number, e: number): number {
  let i = s;
  while (i < e) {
    const b = buf[i]!;
    if (b >= 0x01 && b < 0x80) {
      i++;
      continue;
    }
    if (b === 0) return i;
    let need: number;
    let min = 0x80;
    let max = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) min = 0xa0;
      if (b === 0xed) max = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) min = 0x90;
      if (b === 0xf4) max = 0x8f;
    } else return i;
    if (i + need >= e) return i;
    const b1 = buf[i + 1]!;
    if (b1 < min || b1 > max) return i;
    for (let k = 2; k <= need; k++) {
      const bk = buf[i + k]!;
      if (bk < 0x80 || bk > 0xbf) return i;
    }
    i += need + 1;
  }
  return -1;
}

function firstBadUtf16(buf: Buffer, s: number, e: number, lo: number): number {
  for (let i = s; i + 1 < e; i += 2) {
    const u = (buf[i + 1 - lo]! << 8) | buf[i + lo]!;
    if (u >= 0xd800 && u <= 0xdbff) {
      const next = i + 3 < e ? (buf[i + 3 - lo]! << 8) | buf[i + 2 + lo]! : -1;
      if (next < 0xdc00 || next > 0xdfff) return i - s;
      i += 2;
    } else if (u >= 0xdc00 && u <= 0xdfff) return i - s;
  }
  return e - s;
}
