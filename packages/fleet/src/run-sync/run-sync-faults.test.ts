// The source's failure modes, emulated with msw (a stateful handler per case) on WEPPcloud's protocol
// (`aria2c.spec` + `download/<relpath>`, Tidemark's manifest optional): 404, a body that ends early (the
// connection drops mid-file), bytes that do not match the manifest, a source that sends more than it
// declared, and crafted specs.
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { noiseBytes } from '@tidemark/plugin-run-dirs/testing';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SyncError } from './download.js';
import { MANIFEST_FORMAT } from './manifest.js';
import type { RunSyncOptions } from './sync-run.js';
import { STAGING_DIR, syncRun } from './sync-run.js';

const HOST = 'https://source.test/';
const RUN = 'rlew-faulty';
const CFG = 'disturbed9002';
const RUN_URL = `${HOST}weppcloud/runs/${RUN}/${CFG}/`;
const body = noiseBytes(40_000, 3);
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
    headers: {
      'content-length': String(data.length - from),
      ...(from ? { 'content-range': `bytes ${from}-${data.length - 1}/${data.length}` } : {}),
    },
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

type File = { path: string; data: Buffer; sha?: string };
/** A WEPPcloud-shaped source: the spec lists `files`; with `declare`, Tidemark's manifest gives sizes and sha256. */
function source(files: File[], o: { declare?: boolean; spec?: string } = {}) {
  return [
    http.get(
      `${RUN_URL}aria2c.spec`,
      () => new HttpResponse(o.spec ?? files.map((f) => `${RUN_URL}download/${f.path}\n  out=${f.path}\n`).join('')),
    ),
    http.get(`${RUN_URL}tidemark-manifest.json`, () =>
      o.declare === false ? new HttpResponse('not found', { status: 404 }) : HttpResponse.json(manifest(files)),
    ),
  ];
}
const serveAll = (files: File[]) =>
  http.get(`${RUN_URL}download/*`, ({ request }) => {
    const rel = decodeURIComponent(new URL(request.url).pathname.slice(new URL(`${RUN_URL}download/`).pathname.length));
    const f = files.find((x) => x.path === rel);
    return f ? new HttpResponse(new Uint8Array(f.data)) : new HttpResponse(null, { status: 404 });
  });

const syncWith = (extra: Partial<RunSyncOptions> = {}) =>
  syncRun({
    request: { runid: RUN, config: CFG, sourceHost: HOST },
    root,
    allowedSourceHosts: ['source.test'],
    downloader: 'builtin',
    ...extra,
  });
const sync = () => syncWith();
const failure = async (p: Promise<unknown> = sync()) => {
  try {
    await p;
  } catch (error) {
    if (error instanceof SyncError) return error;
    throw error;
  }
  throw new Error('expected the sync to fail');
};
const offsetOf = (range: string | null) => Number(/^bytes=(\d+)-$/.exec(range ?? '')?.[1] ?? 0);
const staged = (...parts: string[]) => join(root, STAGING_DIR, RUN, CFG, ...parts);

describe('run-sync error cases (msw, WEPPcloud protocol)', () => {
  it('404 on the spec: HTTP_404, permanent, nothing written', async () => {
    server.use(http.get(`${RUN_URL}aria2c.spec`, () => new HttpResponse('no such run', { status: 404 })));
    const error = await failure();
    expect(error.reason).toBe('HTTP_404');
    expect(error.permanent).toBe(true);
    await expect(stat(join(root, 're', RUN))).rejects.toThrow();
  });

  it('a real WEPPcloud (spec only, no sizes or checksums): every file arrives whole, sizes from the responses', async () => {
    const files = [
      { path: 'dem/dem.tif', data: body },
      { path: 'ron.nodb', data: Buffer.from('{"py/object": "x"}') },
    ];
    server.use(...source(files, { declare: false }), serveAll(files));
    const result = await sync();
    expect(result.files).toBe(2);
    expect(result.bytes).toBe(body.length + 18);
    expect(sha(await readFile(join(result.dir, 'dem/dem.tif')))).toBe(sha(body));
    expect(result.provenance.original_url).toBe(RUN_URL);
  });

  it('404 on a listed file: HTTP_404 names the file', async () => {
    server.use(
      ...source([{ path: 'dem/dem.tif', data: body }]),
      http.get(`${RUN_URL}download/*`, () => new HttpResponse(null, { status: 404 })),
    );
    const error = await failure();
    expect(error.reason).toBe('HTTP_404');
    expect(error.message).toContain('dem/dem.tif');
  });

  it('a body cut short is resumed with Range from the byte where it stopped', async () => {
    server.use(
      ...source([{ path: 'dem/dem.tif', data: body }]),
      http.get(`${RUN_URL}download/dem/dem.tif`, ({ request }) => {
        const range = request.headers.get('range');
        ranges.push(range);
        const from = offsetOf(range);
        if (ranges.length === 1) return dropping(body, 0, 15_000);
        return new HttpResponse(new Uint8Array(body.subarray(from)), {
          status: 206,
          headers: { 'content-range': `bytes ${from}-${body.length - 1}/${body.length}` },
        });
      }),
    );
    const result = await sync();
    expect(ranges).toEqual([null, 'bytes=15000-']);
    expect(result.fetched).toBe(body.length);
    expect(sha(await readFile(join(result.dir, 'dem/dem.tif')))).toBe(sha(body));
  });

  it('a source that keeps dropping: TRUNCATED (retryable), the partial file kept, and the next attempt resumes it', async () => {
    server.use(
      ...source([{ path: 'dem/dem.tif', data: body }]),
      http.get(`${RUN_URL}download/dem/dem.tif`, ({ request }) => {
        const from = offsetOf(request.headers.get('range'));
        ranges.push(request.headers.get('range'));
        return dropping(body, from, 5_000);
      }),
    );
    const error = await failure();
    expect(error.reason).toBe('TRUNCATED');
    expect(error.permanent).toBe(false);
    const kept = (await stat(staged('dem', 'dem.tif'))).size;
    expect(kept).toBe(20_000); // 1 request + 3 resumes of 5,000 bytes
    server.resetHandlers(
      ...source([{ path: 'dem/dem.tif', data: body }]),
      http.get(`${RUN_URL}download/dem/dem.tif`, ({ request }) => {
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
      ...source([
        { path: 'ok.txt', data: Buffer.from('fine\n') },
        { path: 'dem/dem.tif', data: body },
      ]),
      http.get(`${RUN_URL}download/ok.txt`, () => new HttpResponse('fine\n')),
      http.get(`${RUN_URL}download/dem/dem.tif`, () => {
        requests++;
        return new HttpResponse(new Uint8Array(wrong));
      }),
    );
    const error = await failure();
    expect(error.reason).toBe('CHECKSUM_MISMATCH');
    expect(error.permanent).toBe(true);
    expect(error.message).toContain('dem/dem.tif');
    expect(requests).toBe(2);
    expect(await readdir(staged('dem'))).toEqual([]);
    await expect(stat(join(root, RUN.slice(0, 2), RUN))).rejects.toThrow();
  });

  it('a source that sends far more than the declared size is cut off at the declared size, not after 64 MiB', async () => {
    let produced = 0;
    const endless = () =>
      new ReadableStream<Uint8Array>({
        pull(c) {
          if (produced >= 64 * 1024 * 1024) return c.close();
          produced += 1024 * 1024;
          c.enqueue(new Uint8Array(1024 * 1024).fill(65));
        },
      });
    server.use(
      ...source([{ path: 'small.txt', data: Buffer.from('eighteen bytes ok\n') }]),
      http.get(`${RUN_URL}download/small.txt`, () => new HttpResponse(endless())),
    );
    const error = await failure();
    expect(error.reason).toBe('SIZE_MISMATCH');
    expect(error.message).toContain('18 bytes');
    expect(produced).toBeLessThan(8 * 1024 * 1024);
    await expect(stat(staged('small.txt'))).rejects.toThrow();
  });

  it('unnormalised spec paths (./wepp/...) are normalised and kept, never downloaded and then pruned', async () => {
    const files = [{ path: 'wepp/output/loss.txt', data: Buffer.from('loss\n') }];
    const spec = `${RUN_URL}download/./wepp/output/loss.txt\n  out=./wepp/output/loss.txt\n`;
    server.use(...source(files, { declare: false, spec }), serveAll(files));
    const result = await sync();
    expect(await readFile(join(result.dir, 'wepp/output/loss.txt'), 'utf8')).toBe('loss\n');
  });

  it('crafted specs are refused before any download: a URL on another host (the token would go there), out= naming another file, ..', async () => {
    const evil = [
      `https://evil.test/steal\n  out=dem/dem.tif\n`,
      `${RUN_URL}download/dem/dem.tif\n  out=../../../home/x/.bashrc\n`,
      `${RUN_URL}download/dem/dem.tif\n  out=wepp/other.txt\n`,
      `${HOST}weppcloud/runs/other-run/${CFG}/download/a.txt\n  out=a.txt\n`,
    ];
    for (const spec of evil) {
      server.resetHandlers(...source([], { declare: false, spec }));
      const error = await failure();
      expect(error.reason, spec).toBe('BAD_SPEC');
    }
  });

  it("aria2c options in the source's spec (dir=, header=) are ignored", async () => {
    const files = [{ path: 'a.txt', data: Buffer.from('a\n') }];
    const spec = `${RUN_URL}download/a.txt\n  dir=/tmp/elsewhere\n  header=X-Evil: 1\n  out=a.txt\n`;
    let evilHeader: string | null = 'unset';
    server.use(
      ...source(files, { declare: false, spec }),
      http.get(
        `${RUN_URL}download/a.txt`,
        ({ request }) => ((evilHeader = request.headers.get('x-evil')), new HttpResponse('a\n')),
      ),
    );
    const result = await sync();
    expect(evilHeader).toBeNull();
    expect(await readFile(join(result.dir, 'a.txt'), 'utf8')).toBe('a\n');
  });

  it('allow-lists: a source host or a target root not in the config is refused before any request', async () => {
    server.use(http.get('*', () => HttpResponse.error()));
    expect((await failure(syncWith({ allowedSourceHosts: ['wepp.cloud'] }))).reason).toBe('SOURCE_NOT_ALLOWED');
    expect(
      (
        await failure(
          syncRun({
            request: { runid: RUN, config: CFG, sourceHost: 'https://attacker.example/' },
            root,
            downloader: 'builtin',
          }),
        )
      ).reason,
    ).toBe('SOURCE_NOT_ALLOWED');
    const outside = await mkdtemp(join(tmpdir(), 'tidemark-outside-'));
    try {
      const refused = await failure(
        syncRun({
          request: { runid: RUN, config: CFG, sourceHost: HOST, targetRoot: outside },
          root,
          allowedSourceHosts: ['source.test'],
        }),
      );
      expect(refused.reason).toBe('TARGET_ROOT_NOT_ALLOWED');
      expect(await readdir(outside)).toEqual([]);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  it('an allowed target root gets the run at <targetRoot>/<runid>/<config>, as the real job puts it', async () => {
    const files = [{ path: 'a.txt', data: Buffer.from('a\n') }];
    server.use(...source(files), serveAll(files));
    const target = join(root, 'mirror');
    const result = await syncWith({
      request: { runid: RUN, config: CFG, sourceHost: HOST, targetRoot: target },
      allowedTargetRoots: [target],
    });
    expect(result.dir).toBe(join(target, RUN, CFG));
    expect(await readFile(join(target, RUN, CFG, 'a.txt'), 'utf8')).toBe('a\n');
  });

  it('a manifest that would write outside the run is refused before any download', async () => {
    server.use(
      http.get(`${RUN_URL}aria2c.spec`, () => new HttpResponse(`${RUN_URL}download/x\n  out=x\n`)),
      http.get(`${RUN_URL}tidemark-manifest.json`, () =>
        HttpResponse.json(manifest([{ path: '../../etc/evil', data: body }])),
      ),
    );
    const error = await failure();
    expect(error.reason).toBe('BAD_MANIFEST');
    expect(error.message).toContain('escapes the run folder');
  });
});
