// Resumable, verified download of one file: what is already on disk is kept and the rest is asked for with
// `Range: bytes=<have>-`; a body that ends early (a dropped connection) is resumed the same way; at the end
// size and sha256 must match the manifest, else the file is fetched once more from zero, then refused.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rm, stat, truncate } from 'node:fs/promises';
import { dirname } from 'node:path';

export class SyncError extends Error {
  constructor(
    readonly reason: string,
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = 'SyncError';
  }
}

/** A file to fetch: its size and sha256 when the source declared them (Tidemark's manifest), else neither. */
export interface DownloadFile {
  path: string;
  size?: number;
  sha256?: string;
}

/** Files of unknown size are never written past this. Default 64 GiB. */
export const DEFAULT_MAX_FILE_BYTES = 64 * 1024 ** 3;

export interface DownloadOptions {
  url: URL;
  dest: string;
  file: DownloadFile;
  headers: Record<string, string>;
  fetch: typeof fetch;
  signal?: AbortSignal;
  /** Resumes within one attempt after a body that ended early. Default 3. */
  resumes?: number;
  /** Cap for a file whose size nobody declared. */
  maxBytes?: number;
  onBytes?: (n: number) => void;
}

export interface DownloadResult {
  /** Bytes that came over the network (0 for a file already complete). */
  fetched: number;
  resumedFrom: number;
  refetched: boolean;
  /** The file's size on disk at the end. */
  size: number;
}

async function sizeOf(path: string): Promise<number> {
  return (await stat(path).catch(() => null))?.size ?? 0;
}

async function hashOf(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The whole file's size as the response states it (Content-Range total, else Content-Length of a 200). */
function totalOf(res: Response): number | undefined {
  const range = /\/(\d+)\s*$/.exec(res.headers.get('content-range') ?? '');
  if (range) return Number(range[1]);
  const length = res.headers.get('content-length');
  return res.status === 200 && length !== null && /^\d+$/.test(length) ? Number(length) : undefined;
}

interface Fetched {
  written: number;
  /** False when the body ended early (a dropped connection). */
  complete: boolean;
  /** The file's full size as this response stated it. */
  total: number | undefined;
}

/**
 * One request from `from` to the end; appends what arrives, never past `limit` bytes of file: a source that
 * sends more than it declared is cut off there (the request is cancelled) and refused, nothing more is written.
 */
async function fetchFrom(o: DownloadOptions, from: number, limit: number): Promise<Fetched> {
  const headers: Record<string, string> = { ...o.headers, ...(from > 0 ? { range: `bytes=${from}-` } : {}) };
  const res = await o.fetch(o.url, { headers, ...(o.signal ? { signal: o.signal } : {}) });
  if (res.status === 404) throw new SyncError('HTTP_404', `${o.file.path}: the source answered 404 Not Found`, true);
  if (res.status === 401 || res.status === 403)
    throw new SyncError(
      `HTTP_${res.status}`,
      `${o.file.path}: the source refused access (${res.status}); check the auth token`,
      true,
    );
  if (res.status === 416) {
    res.body?.cancel().catch(() => undefined);
    return { written: 0, complete: true, total: totalOf(res) }; // nothing left to send: the size check decides
  }
  if (res.status !== 200 && res.status !== 206)
    throw new SyncError(`HTTP_${res.status}`, `${o.file.path}: the source answered ${res.status}`, res.status < 500);
  const append = res.status === 206 && from > 0;
  if (!append) await truncate(o.dest, 0);
  const start = append ? from : 0;
  const total = totalOf(res);
  const handle = await open(o.dest, 'a');
  let written = 0;
  let complete = true;
  let overflow = false;
  try {
    if (res.body) {
      const reader = res.body.getReader();
      try {
        for (;;) {
          const { done, value: chunk } = await reader.read();
          if (done) break;
          const room = limit - (start + written);
          const part = chunk.byteLength > room ? chunk.subarray(0, Math.max(0, room)) : chunk;
          if (part.byteLength > 0) {
            await handle.write(part);
            written += part.byteLength;
            o.onBytes?.(part.byteLength);
          }
          if (part.byteLength < chunk.byteLength) {
            overflow = true;
            // Not awaited: some bodies settle their cancel only when the sender stops, and we stop reading now.
            reader.cancel().catch(() => undefined);
            break;
          }
        }
      } catch (error) {
        if (o.signal?.aborted) throw error;
        complete = false; // connection dropped mid-body: resume from what we have
      }
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
  if (overflow) {
    await rm(o.dest, { force: true });
    const declared =
      o.file.size === undefined
        ? `the ${limit}-byte limit for a file of undeclared size`
        : `its declared ${o.file.size} bytes`;
    throw new SyncError(
      'SIZE_MISMATCH',
      `${o.file.path}: the source sent more than ${declared}; the download was cut off there and not kept`,
      true,
    );
  }
  const end = start + written;
  return { written, complete: complete && (total === undefined || end >= total), total };
}

export async function downloadFile(o: DownloadOptions): Promise<DownloadResult> {
  await mkdir(dirname(o.dest), { recursive: true });
  const result: DownloadResult = { fetched: 0, resumedFrom: 0, refetched: false, size: 0 };
  const limit = o.file.size ?? o.maxBytes ?? DEFAULT_MAX_FILE_BYTES;
  for (let pass = 0; pass < 2; pass++) {
    let have = await sizeOf(o.dest);
    if (have > limit) {
      await rm(o.dest, { force: true });
      have = 0;
    }
    if (pass === 0) result.resumedFrom = have;
    if (have === 0) await (await open(o.dest, 'w')).close();
    let expected = o.file.size;
    let resumes = o.resumes ?? 3;
    for (;;) {
      if (expected !== undefined && have >= expected) break;
      const r = await fetchFrom(o, have, limit);
      result.fetched += r.written;
      if (r.total !== undefined) {
        if (expected !== undefined && r.total !== expected) {
          await rm(o.dest, { force: true });
          throw new SyncError(
            'SIZE_MISMATCH',
            `${o.file.path}: the source says the file has ${r.total} bytes, the manifest ${expected}; not kept`,
            true,
          );
        }
        expected = r.total;
      }
      const now = await sizeOf(o.dest);
      if (expected === undefined) {
        if (r.complete) {
          expected = now; // neither the manifest nor the response stated a size: what arrived whole is the file
          break;
        }
      } else if (now >= expected) break;
      if (now === have || resumes-- <= 0) {
        throw new SyncError(
          'TRUNCATED',
          `${o.file.path}: the body ended after ${now}${expected === undefined ? '' : ` of ${expected}`} bytes; the partial file is kept and the next attempt resumes it`,
          false,
        );
      }
      have = now;
    }
    const size = await sizeOf(o.dest);
    result.size = size;
    if (size === expected && (o.file.sha256 === undefined || (await hashOf(o.dest)) === o.file.sha256)) return result;
    await rm(o.dest, { force: true });
    if (pass === 0) {
      result.refetched = true;
      continue;
    }
    throw new SyncError(
      'CHECKSUM_MISMATCH',
      `${o.file.path}: ${size === expected ? 'sha256 differs from the manifest' : `got ${size} bytes, expected ${expected}`} (twice); the file was not kept`,
      true,
    );
  }
  throw new SyncError('CHECKSUM_MISMATCH', `${o.file.path}: could not be verified`, true);
}
