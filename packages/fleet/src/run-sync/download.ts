// Resumable, verified download of one file: what is already on disk is kept and the rest is asked for with
// `Range: bytes=<have>-`; a body that ends early (a dropped connection) is resumed the same way; at the end
// size and sha256 must match the manifest, else the file is fetched once more from zero, then refused.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rm, stat, truncate } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ManifestFile } from './manifest.js';

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

export interface DownloadOptions {
  url: URL;
  dest: string;
  file: ManifestFile;
  headers: Record<string, string>;
  fetch: typeof fetch;
  signal?: AbortSignal;
  /** Resumes within one attempt after a body that ended early. Default 3. */
  resumes?: number;
  onBytes?: (n: number) => void;
}

export interface DownloadResult {
  /** Bytes that came over the network (0 for a file already complete). */
  fetched: number;
  resumedFrom: number;
  refetched: boolean;
}

async function sizeOf(path: string): Promise<number> {
  return (await stat(path).catch(() => null))?.size ?? 0;
}

async function hashOf(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** One request from `from` to the end; appends what arrives. Returns bytes written; false when the body ended early. */
async function fetchFrom(o: DownloadOptions, from: number): Promise<{ written: number; complete: boolean }> {
  const headers: Record<string, string> = { ...o.headers, ...(from > 0 ? { range: `bytes=${from}-` } : {}) };
  const res = await o.fetch(o.url, { headers, ...(o.signal ? { signal: o.signal } : {}) });
  if (res.status === 404) throw new SyncError('HTTP_404', `${o.file.path}: the source answered 404 Not Found`, true);
  if (res.status === 401 || res.status === 403) throw new SyncError(`HTTP_${res.status}`, `${o.file.path}: the source refused access (${res.status}); check the auth token`, true);
  if (res.status === 416) {
    await res.body?.cancel();
    return { written: 0, complete: true }; // nothing left to send: the size check decides
  }
  if (res.status !== 200 && res.status !== 206) throw new SyncError(`HTTP_${res.status}`, `${o.file.path}: the source answered ${res.status}`, res.status < 500);
  const append = res.status === 206 && from > 0;
  if (!append) await truncate(o.dest, 0);
  const handle = await open(o.dest, 'a');
  let written = 0;
  let complete = true;
  try {
    if (res.body) {
      try {
        for await (const chunk of res.body) {
          await handle.write(chunk);
          written += chunk.byteLength;
          o.onBytes?.(chunk.byteLength);
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
  return { written, complete: complete && (append ? from : 0) + written >= o.file.size };
}

export async function downloadFile(o: DownloadOptions): Promise<DownloadResult> {
  await mkdir(dirname(o.dest), { recursive: true });
  const result: DownloadResult = { fetched: 0, resumedFrom: 0, refetched: false };
  for (let pass = 0; pass < 2; pass++) {
    let have = await sizeOf(o.dest);
    if (have > o.file.size) {
      await rm(o.dest, { force: true });
      have = 0;
    }
    if (pass === 0) result.resumedFrom = have;
    if (have === 0) await (await open(o.dest, 'w')).close();
    let resumes = o.resumes ?? 3;
    while (have < o.file.size) {
      const r = await fetchFrom(o, have);
      result.fetched += r.written;
      const now = await sizeOf(o.dest);
      if (now >= o.file.size) break;
      if (now === have || resumes-- <= 0) {
        throw new SyncError('TRUNCATED', `${o.file.path}: the body ended after ${now} of ${o.file.size} bytes; the partial file is kept and the next attempt resumes it`, false);
      }
      have = now;
    }
    const size = await sizeOf(o.dest);
    if (size === o.file.size && (await hashOf(o.dest)) === o.file.sha256) return result;
    await rm(o.dest, { force: true });
    if (pass === 0) {
      result.refetched = true;
      continue;
    }
    throw new SyncError('CHECKSUM_MISMATCH', `${o.file.path}: ${size === o.file.size ? 'sha256 differs from the manifest' : `got ${size} bytes, the manifest says ${o.file.size}`} (twice); the file was not kept`, true);
  }
  throw new SyncError('CHECKSUM_MISMATCH', `${o.file.path}: could not be verified`, true);
}
