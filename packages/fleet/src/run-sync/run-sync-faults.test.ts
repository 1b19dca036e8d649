// The source's failure modes, emulated with msw (a stateful handler per case): 404, a body that ends early
// (the connection drops mid-file), and bytes that do not match the manifest's sha256.
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { noise } from '../test/source-run.js';
import { SyncError } from './download.js';
import { MANIFEST_FORMAT } from './manifest.js';
import { STAGING_DIR, syncRun } from './sync-run.js';

const HOST = 'https://source.test/';
const RUN = 'rlew-faulty';
const body = noise(40_000, 3);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const manifest = (files: { path: string; data: Buffer; sha?: string }[]) => ({
  format: MANIFEST_FORMAT,
  runid: RUN,
  config: 'disturbed9002',
  version: 1000,
  files: files.map((f) => ({ path: f.path, size: f.data.length, sha256: f.sha ?? sha(f.data) })),
});

/**
 * A body cut short: `take` bytes from `from` while Content-Length promises the rest (a proxy that closed
 * early). A stream that errors mid-body cannot be emulated here (msw tees the body and an error drops the
 * queued chunks); the real-socket drop is tested against node:http in run-sync.test.ts.
 */
function dropping(data: Buffer, from: number, take: number): HttpResponse<Uint8Array> {
  const part = new Uint8Array(data.subarray(from, Math.min(data.length, from + take)));
  return new HttpResponse(part, {
    status: from ? 206 : 200,
    headers: { 'content-length': String(data.length - from), ...(from ? { 'content-range': `bytes ${from}-${data.length - 1}/${data.length}` } : {}) },
  });
}

const ranges: (string | null)[] = [];
const server = setupServer();
let root: string;

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'tidemark-sync-msw-'));
  ranges.length = 0;
});
afterEach(async () => {
  server.resetHandlers();
  await rm(root, { recursive: true, force: true });
});

const sync = () => syncRun({ request: { runid: RUN, config: 'disturbed9002', sourceHost: HOST }, root });
const failure = async () => {
  try {
    await sync();
  } catch (error) {
    if (error instanceof SyncError) return error;
    throw error;
  }
  throw new Error('expected the sync to fail');
};
const offsetOf = (range: string | null) => Number(/^bytes=(\d+)-$/.exec(range ?? '')?.[1] ?? 0);

describe('run-sync error cases (msw)', () => {
  it('404 on the manifest: HTTP_404, permanent, nothing written', async () => {
    server.use(http.get(`${HOST}runs/${RUN}/manifest`, () => new HttpResponse('no such run', { status: 404 })));
    const error = await failure();
    expect(error.reason).toBe('HTTP_404');
    expect(error.permanent).toBe(true);
    await expect(stat(join(root, 're', RUN))).rejects.toThrow();
  });

  it('404 on a listed file: HTTP_404 names the file', async () => {
    server.use(
      http.get(`${HOST}runs/${RUN}/manifest`, () => HttpResponse.json(manifest([{ path: 'dem/dem.tif', data: body }]))),
      http.get(`${HOST}runs/${RUN}/files/*`, () => new HttpResponse(null, { status: 404 })),
    );
    const error = await failure();
    expect(error.reason).toBe('HTTP_404');
    expect(error.message).toContain('dem/dem.tif');
  });

  it('a body cut short is resumed with Range from the byte where it stopped', async () => {
    server.use(
      http.get(`${HOST}runs/${RUN}/manifest`, () => HttpResponse.json(manifest([{ path: 'dem/dem.tif', data: body }]))),
      http.get(`${HOST}runs/${RUN}/files/dem/dem.tif`, ({ request }) => {
        const range = request.headers.get('range');
        ranges.push(range);
        const from = offsetOf(range);
        if (ranges.length === 1) return dropping(body, 0, 15_000);
        return new HttpResponse(new Uint8Array(body.subarray(from)), { status: 206, headers: { 'content-range': `bytes ${from}-${body.length - 1}/${body.length}` } });
      }),
    );
    const result = await sync();
    expect(ranges).toEqual([null, 'bytes=15000-']);
    expect(result.fetched).toBe(body.length);
    expect(sha(Buffer.from(await (await import('node:fs/promises')).readFile(join(result.dir, 'dem/dem.tif'))))).toBe(sha(body));
  });

  it('a source that keeps dropping: TRUNCATED (retryable), the partial file kept, and the next attempt resumes it', async () => {
    server.use(
      http.get(`${HOST}runs/${RUN}/manifest`, () => HttpResponse.json(manifest([{ path: 'dem/dem.tif', data: body }]))),
      http.get(`${HOST}runs/${RUN}/files/dem/dem.tif`, ({ request }) => {
        const from = offsetOf(request.headers.get('range'));
        ranges.push(request.headers.get('range'));
        return dropping(body, from, 5_000);
      }),
    );
    const error = await failure();
    expect(error.reason).toBe('TRUNCATED');
    expect(error.permanent).toBe(false);
    const partial = join(root, STAGING_DIR, RUN, 'dem', 'dem.tif');
    const kept = (await stat(partial)).size;
    expect(kept).toBe(20_000); // 1 request + 3 resumes of 5,000 bytes
    server.resetHandlers(
      http.get(`${HOST}runs/${RUN}/manifest`, () => HttpResponse.json(manifest([{ path: 'dem/dem.tif', data: body }]))),
      http.get(`${HOST}runs/${RUN}/files/dem/dem.tif`, ({ request }) => {
        const from = offsetOf(request.headers.get('range'));
        ranges.push(request.headers.get('range'));
        return new HttpResponse(new Uint8Array(body.subarray(from)), { status: 206 });
      }),
    );
    const result = await sync();
    expect(ranges.at(-1)).toBe('bytes=20000-');
    expect(result.fetched).toBe(body.length - kept);
    expect(result.resumed).toBe(1);
  });

  it('bytes that do not match the sha256: refetched once from zero, then CHECKSUM_MISMATCH and nothing kept', async () => {
    const wrong = Buffer.from(body);
    wrong[100] = wrong[100]! ^ 0xff;
    let requests = 0;
    server.use(
      http.get(`${HOST}runs/${RUN}/manifest`, () => HttpResponse.json(manifest([{ path: 'ok.txt', data: Buffer.from('fine\n') }, { path: 'dem/dem.tif', data: body }]))),
      http.get(`${HOST}runs/${RUN}/files/ok.txt`, () => new HttpResponse('fine\n')),
      http.get(`${HOST}runs/${RUN}/files/dem/dem.tif`, () => {
        requests++;
        return new HttpResponse(new Uint8Array(wrong));
      }),
    );
    const error = await failure();
    expect(error.reason).toBe('CHECKSUM_MISMATCH');
    expect(error.permanent).toBe(true);
    expect(error.message).toContain('dem/dem.tif');
    expect(requests).toBe(2);
    expect(await readdir(join(root, STAGING_DIR, RUN, 'dem'))).toEqual([]);
    await expect(stat(join(root, RUN.slice(0, 2), RUN))).rejects.toThrow();
  });

  it('a manifest that would write outside the run is refused before any download', async () => {
    server.use(http.get(`${HOST}runs/${RUN}/manifest`, () => HttpResponse.json(manifest([{ path: '../../etc/evil', data: body }]))));
    const error = await failure();
    expect(error.reason).toBe('BAD_MANIFEST');
    expect(error.message).toContain('escapes the run folder');
  });
});
