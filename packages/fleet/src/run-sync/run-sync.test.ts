import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRegistry, redisCommander, type RedisCommander } from '@tidemark/plugin-run-dirs';
import { buildLegacyRun, noiseBytes } from '@tidemark/plugin-run-dirs/testing';
import { Redis } from 'ioredis';
import knexFactory, { type Knex } from 'knex';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openFleetQueue } from '../jobs/queue.js';
import { startFleetWorker } from '../jobs/worker.js';
import { fleetTestPlugin } from '../test/fleet-plugin.js';
import { channelRecorder, deleteKeys, PG_URL, REDIS_URL, testNames, uniqueId, waitFor } from '../test/redis.js';
import { fileHashes } from '../test/file-hashes.js';
import { SyncError } from './download.js';
import { startRunSource, type RunSource } from './source-server.js';
import { findAria2c } from './aria2c.js';
import { STAGING_DIR, syncRun } from './sync-run.js';

let tmp: string;
let sourceRoot: string;
let destRoot: string;
let source: RunSource;
let redis: Redis;
let nodb: RedisCommander;
let runid: string;
let srcDir: string;
// A run to serve: a small legacy run plus an incompressible dem.tif big enough for HTTP ranges.
const SOURCE_RUN = {
  extras: ['big-file'],
  bigFile: { path: 'dem/dem.tif', bytes: 256 * 1024, seed: 11 },
  version: 1000,
} as const;

beforeAll(async () => {
  redis = new Redis(REDIS_URL);
  nodb = await redisCommander(REDIS_URL);
});
afterAll(async () => {
  await nodb.close?.();
  await redis.quit();
});
beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'tidemark-sync-'));
  sourceRoot = join(tmp, 'source');
  destRoot = join(tmp, 'runs');
  runid = uniqueId('rs');
  srcDir = await buildLegacyRun(sourceRoot, { runId: runid, ...SOURCE_RUN });
  source = await startRunSource({ root: sourceRoot, token: 'source-secret-token' });
});
afterEach(async () => {
  await source.close();
  await redis.del(`nodb-lock:${runid}:ron.nodb`);
  await rm(tmp, { recursive: true, force: true });
});

const opts = { root: '', allowedSourceHosts: ['127.0.0.1'], downloader: 'builtin' as const };
const request = (extra = {}) => ({
  runid,
  config: 'disturbed9002',
  sourceHost: source.url,
  authToken: 'source-secret-token',
  ownerEmail: 'admin@example.org',
  ...extra,
});
const reason = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (error) {
    return error instanceof SyncError ? error.reason : `not a SyncError: ${String(error)}`;
  }
  return 'no error';
};

describe('run-sync against a real HTTP source (node:http on 127.0.0.1)', () => {
  it('imports every byte into <root>/<prefix>/<runid>, writes .provenance.json, and upserts the registry row', async () => {
    const schema = uniqueId('fleet_sync_');
    const knex: Knex = knexFactory({ client: 'pg', connection: PG_URL, pool: { min: 0, max: 2 } });
    await knex.raw(`create schema "${schema}"`);
    try {
      const registry = await openRegistry({ knex, schema });
      await registry.migrate();
      const statuses: string[] = [];
      const result = await syncRun({
        request: request(),
        ...opts,
        root: destRoot,
        redis: nodb,
        registry,
        onStatus: (e) => statuses.push(e),
      });
      expect(result.dir).toBe(join(destRoot, runid.slice(0, 2), runid));
      expect(await fileHashes(result.dir, (rel) => rel === '.provenance.json')).toEqual(await fileHashes(srcDir));
      const provenance = JSON.parse(await readFile(join(result.dir, '.provenance.json'), 'utf8')) as Record<
        string,
        unknown
      >;
      expect(provenance).toMatchObject({
        runid,
        config: 'disturbed9002',
        source_host: new URL(source.url).host,
        owner_email: 'admin@example.org',
        version_at_pull: 1000,
      });
      expect(JSON.stringify(provenance)).not.toContain('source-secret-token');
      expect(statuses).toEqual(
        expect.arrayContaining(['DOWNLOADING', 'CHECKSUM_OK', 'PROVENANCE_WRITTEN', 'REGISTERED']),
      );
      expect(statuses.indexOf('CHECKSUM_OK')).toBeLessThan(statuses.indexOf('REGISTERED'));
      const row = await registry.get(runid, 'disturbed9002');
      expect(row).toMatchObject({
        runid,
        config: 'disturbed9002',
        local_path: result.dir,
        owner_email: 'admin@example.org',
        version_at_pull: 1000,
        last_status: 'synced',
      });
      await expect(stat(join(destRoot, STAGING_DIR, runid))).rejects.toThrow();
      await registry.close();
    } finally {
      await knex.raw(`drop schema "${schema}" cascade`);
      await knex.destroy();
    }
  });

  describe('aria2c never gets the bearer token (its argv and input file are readable: ps, /proc)', () => {
    // Forwards to a source and notes who asked: aria2c says `aria2/<version>` in its User-Agent, fetch does not.
    const recording = async (upstreamUrl: string) => {
      const seen: { url: string; agent: string; auth: string }[] = [];
      const proxy = createServer((req, res) => {
        void (async () => {
          seen.push({ url: req.url!, agent: req.headers['user-agent'] ?? '', auth: req.headers.authorization ?? '' });
          const upstream = await fetch(new URL(req.url!.slice(1), upstreamUrl), {
            headers: {
              ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
              ...(req.headers.range ? { range: req.headers.range } : {}),
            },
          });
          let bytes = Buffer.from(await upstream.arrayBuffer());
          if (req.url!.endsWith('/aria2c.spec'))
            bytes = Buffer.from(String(bytes).replaceAll(new URL(upstreamUrl).host, req.headers.host!));
          res.writeHead(upstream.status, {
            'content-length': bytes.length,
            ...(upstream.headers.get('content-range')
              ? { 'content-range': upstream.headers.get('content-range')! }
              : {}),
          });
          res.end(bytes);
        })();
      });
      await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
      return {
        url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/`,
        seen,
        close: async () => {
          proxy.closeAllConnections();
          await new Promise((r) => proxy.close(r));
        },
      };
    };
    const downloads = (seen: { url: string; agent: string }[]) => seen.filter((s) => s.url.includes('/download/'));

    it('a public run (no token) goes through aria2c (Debian aria2, as the real job): every byte arrives, no control files left', async () => {
      expect(findAria2c(), 'aria2c must be installed (npm test installs Debian aria2)').not.toBeNull();
      const open = await startRunSource({ root: sourceRoot });
      const proxy = await recording(open.url);
      try {
        const { authToken: _none, ...publicRequest } = request({ sourceHost: proxy.url });
        const result = await syncRun({ request: publicRequest, ...opts, root: destRoot, downloader: 'aria2c' });
        expect(await fileHashes(result.dir, (rel) => rel === '.provenance.json')).toEqual(await fileHashes(srcDir));
        expect((await readdir(result.dir, { recursive: true })).some((f) => String(f).endsWith('.aria2'))).toBe(false);
        expect(downloads(proxy.seen).length).toBeGreaterThan(0);
        expect(downloads(proxy.seen).some((s) => s.agent.startsWith('aria2/'))).toBe(true);
      } finally {
        await proxy.close();
        await open.close();
      }
    });

    it('a private run with downloader "auto" and aria2c installed is fetched by the built-in downloader, the token on every request', async () => {
      expect(findAria2c()).not.toBeNull();
      const proxy = await recording(source.url);
      try {
        const statuses: string[] = [];
        const result = await syncRun({
          request: request({ sourceHost: proxy.url }),
          ...opts,
          root: destRoot,
          downloader: 'auto',
          onStatus: (e, f) => statuses.push(`${e} ${f?.message ?? ''}`),
        });
        expect(await fileHashes(result.dir, (rel) => rel === '.provenance.json')).toEqual(await fileHashes(srcDir));
        expect(downloads(proxy.seen).length).toBeGreaterThan(0);
        expect(proxy.seen.filter((s) => s.agent.startsWith('aria2/'))).toEqual([]);
        expect(proxy.seen.every((s) => s.auth === 'Bearer source-secret-token')).toBe(true);
        expect(statuses.join('\n')).not.toContain('(aria2c)');
      } finally {
        await proxy.close();
      }
    });

    it('a private run with downloader "aria2c" forced is refused before any request (ARIA2C_WITH_TOKEN), naming why, without the token', async () => {
      const proxy = await recording(source.url);
      try {
        const error = await syncRun({
          request: request({ sourceHost: proxy.url }),
          ...opts,
          root: destRoot,
          downloader: 'aria2c',
        }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(SyncError);
        expect((error as SyncError).reason).toBe('ARIA2C_WITH_TOKEN');
        expect((error as SyncError).permanent).toBe(true);
        expect((error as SyncError).message).toMatch(/auth token .*aria2c.*'auto' or 'builtin'/);
        expect((error as SyncError).message).not.toContain('source-secret-token');
        expect(proxy.seen).toEqual([]);
        await expect(stat(join(destRoot, STAGING_DIR))).rejects.toThrow();
      } finally {
        await proxy.close();
      }
    });
  });

  it('the source hashes each file once: a second sync of an unchanged run rehashes nothing, a changed file alone is rehashed', async () => {
    await syncRun({ request: request(), ...opts, root: destRoot });
    const first = source.hashed;
    expect(first).toBeGreaterThan(0);
    await syncRun({ request: request({ overwrite: true }), ...opts, root: destRoot });
    expect(source.hashed).toBe(first);
    await writeFile(join(srcDir, 'dem', 'dem.tif'), 'changed\n');
    await syncRun({ request: request({ overwrite: true }), ...opts, root: destRoot });
    expect(source.hashed).toBe(first + 1);
  });

  it('resumes a partial download with Range: only the missing bytes cross the network', async () => {
    const staged = join(destRoot, STAGING_DIR, runid, 'disturbed9002', 'dem', 'dem.tif');
    await mkdir(join(staged, '..'), { recursive: true });
    await writeFile(staged, noiseBytes(SOURCE_RUN.bigFile.bytes, SOURCE_RUN.bigFile.seed).subarray(0, 100_000));
    const result = await syncRun({ request: request(), ...opts, root: destRoot });
    expect(result.resumed).toBe(1);
    expect(result.fetched).toBe(result.bytes - 100_000);
    expect(await fileHashes(result.dir, (rel) => rel === '.provenance.json')).toEqual(await fileHashes(srcDir));
  });

  it('a socket dropped mid-file (real TCP) is resumed from the byte where it broke', async () => {
    const seen: (string | undefined)[] = [];
    let dropped = false;
    const proxy = createServer((req, res) => {
      void (async () => {
        const upstream = await fetch(new URL(req.url!.slice(1), source.url), {
          headers: {
            authorization: req.headers.authorization ?? '',
            ...(req.headers.range ? { range: req.headers.range } : {}),
          },
        });
        let bytes = Buffer.from(await upstream.arrayBuffer());
        // The spec's links name the host asked; this proxy is that host for the client.
        if (req.url!.endsWith('/aria2c.spec'))
          bytes = Buffer.from(String(bytes).replaceAll(new URL(source.url).host, req.headers.host!));
        if (req.url!.endsWith('/dem/dem.tif')) seen.push(req.headers.range);
        res.writeHead(upstream.status, {
          'content-length': bytes.length,
          ...(upstream.headers.get('content-range') ? { 'content-range': upstream.headers.get('content-range')! } : {}),
        });
        if (req.url!.endsWith('/dem/dem.tif') && !dropped) {
          dropped = true;
          // The client reads what arrived before the drop (a dropped stream discards bytes it had not read yet).
          res.write(bytes.subarray(0, 60_000), () => setTimeout(() => res.socket?.destroy(), 300));
          return;
        }
        res.end(bytes);
      })();
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    try {
      const result = await syncRun({
        request: request({ sourceHost: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/` }),
        ...opts,
        root: destRoot,
      });
      expect(seen[0]).toBeUndefined();
      expect(Number(/bytes=(\d+)-/.exec(seen[1] ?? '')?.[1])).toBeGreaterThan(0);
      expect(await fileHashes(result.dir, (rel) => rel === '.provenance.json')).toEqual(await fileHashes(srcDir));
    } finally {
      proxy.closeAllConnections();
      await new Promise((r) => proxy.close(r));
    }
  });

  it('a partial file with wrong bytes is caught by sha256 and fetched again from zero', async () => {
    const staged = join(destRoot, STAGING_DIR, runid, 'disturbed9002', 'dem', 'dem.tif');
    await mkdir(join(staged, '..'), { recursive: true });
    await writeFile(staged, Buffer.alloc(100_000, 7));
    const result = await syncRun({ request: request(), ...opts, root: destRoot });
    expect(await fileHashes(result.dir, (rel) => rel === '.provenance.json')).toEqual(await fileHashes(srcDir));
  });

  it('never overwrites silently: EXISTS without the flag, READONLY and locked runs never; overwrite replaces', async () => {
    const first = await syncRun({ request: request(), ...opts, root: destRoot });
    await writeFile(join(first.dir, 'local-note.txt'), 'local');
    expect(await reason(syncRun({ request: request(), ...opts, root: destRoot }))).toBe('EXISTS');

    await redis.set(`nodb-lock:${runid}:ron.nodb`, JSON.stringify({ token: 't', owner: 'web-3:7' }), 'EX', 60);
    expect(await reason(syncRun({ request: request({ overwrite: true }), ...opts, root: destRoot, redis: nodb }))).toBe(
      'NODB_LOCKED',
    );
    await redis.del(`nodb-lock:${runid}:ron.nodb`);

    await writeFile(join(first.dir, 'READONLY'), '');
    expect(await reason(syncRun({ request: request({ overwrite: true }), ...opts, root: destRoot, redis: nodb }))).toBe(
      'READONLY',
    );
    await rm(join(first.dir, 'READONLY'));

    await mkdir(join(first.dir, '.tidemark'), { recursive: true });
    await writeFile(
      join(first.dir, '.tidemark', 'lock.json'),
      JSON.stringify({
        token: 'x',
        host: 'worker-2',
        pid: 9,
        since: new Date().toISOString(),
        expiresAt: new Date(Date.now() + 60_000).toISOString(),
      }),
    );
    expect(await reason(syncRun({ request: request({ overwrite: true }), ...opts, root: destRoot, redis: nodb }))).toBe(
      'LOCKED',
    );
    await rm(join(first.dir, '.tidemark', 'lock.json'));
    expect(await stat(join(first.dir, 'local-note.txt'))).toBeTruthy(); // every refusal left the run alone

    const again = await syncRun({ request: request({ overwrite: true }), ...opts, root: destRoot, redis: nodb });
    expect(again.replaced).toBe(true);
    await expect(stat(join(again.dir, 'local-note.txt'))).rejects.toThrow();
  });

  it('a queued run-sync keeps its token under an expiring key of its own, never in the job data', async () => {
    const names = testNames();
    const fq = openFleetQueue({ ...names, redis: REDIS_URL, secretTtlSec: 600 });
    try {
      const [job] = await fq.enqueue('run-sync', [{ runId: runid, sync: request() }]);
      const stored = await fq.queue.getJob(job!.jobId);
      expect(JSON.stringify(stored!.data)).not.toContain('source-secret-token');
      expect(stored!.data.sync).toMatchObject({ authTokenRef: job!.jobId });
      expect(await redis.get(`${fq.keys.secret}${job!.jobId}`)).toBe('source-secret-token');
      const ttl = await redis.ttl(`${fq.keys.secret}${job!.jobId}`);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(600);
    } finally {
      await fq.close();
      await deleteKeys(redis, `${names.prefix}:*`);
    }
  });

  it('allow_push: a push host needs the explicit flag and a token; a wrong token is refused by the source', async () => {
    const push = { sourceHost: 'https://wc.bearhive.duckdns.org/' };
    expect(await reason(syncRun({ request: request({ ...push }), ...opts, root: destRoot }))).toBe('PUSH_NOT_ALLOWED');
    expect(
      await reason(
        syncRun({ request: request({ ...push, allowPush: true, authToken: undefined }), ...opts, root: destRoot }),
      ),
    ).toBe('PUSH_TOKEN_REQUIRED');
    expect(
      await reason(syncRun({ request: request({ authToken: 'wrong-token-value' }), ...opts, root: destRoot })),
    ).toBe('HTTP_401');
    await expect(stat(join(destRoot, runid.slice(0, 2), runid))).rejects.toThrow();
  });

  it('as a job: <runid>:run_sync carries ENQUEUED, DOWNLOADING, CHECKSUM_OK, REGISTERED, COMPLETE; the token never appears', async () => {
    const names = testNames();
    const schema = uniqueId('fleet_syncjob_');
    const knex: Knex = knexFactory({ client: 'pg', connection: PG_URL, pool: { min: 0, max: 2 } });
    await knex.raw(`create schema "${schema}"`);
    const registry = await openRegistry({ knex, schema });
    await registry.migrate();
    const fq = openFleetQueue({ ...names, redis: REDIS_URL });
    const worker = await startFleetWorker({
      ...names,
      redis: REDIS_URL,
      root: destRoot,
      plugin: fleetTestPlugin(),
      registry,
      sync: { allowedSourceHosts: ['127.0.0.1'] },
    });
    const rec = await channelRecorder([runid]);
    try {
      const [job] = await fq.enqueue('run-sync', [{ runId: runid, sync: request() }]);
      await waitFor(
        'run-sync COMPLETE',
        () => rec.events(runid).includes('COMPLETE') || rec.events(runid).includes('EXCEPTION'),
      );
      expect(rec.events(runid, `${runid}:run_sync`)).toEqual(
        expect.arrayContaining([
          'ENQUEUED',
          'STARTED',
          'DOWNLOADING',
          'CHECKSUM_OK',
          'PROVENANCE_WRITTEN',
          'REGISTERED',
          'COMPLETE',
        ]),
      );
      expect(rec.events(runid).at(-1)).toBe('COMPLETE');
      expect(JSON.stringify(rec.messages)).not.toContain('source-secret-token');
      const done = await fq.queue.getJob(job!.jobId);
      expect(JSON.stringify(done!.returnvalue)).not.toContain('source-secret-token');
      // Nothing BullMQ keeps for days holds the token; its own key is gone once the job ended.
      expect(JSON.stringify(done!.data)).not.toContain('source-secret-token');
      expect(JSON.stringify(await redis.hgetall(`${fq.keys.prefix}:${fq.keys.queue}:${job!.jobId}`))).not.toContain(
        'source-secret-token',
      );
      expect(await redis.exists(`${fq.keys.secret}${job!.jobId}`)).toBe(0);
      expect(await fq.index.get(runid)).toMatchObject({ lastStatus: 'synced', config: 'disturbed9002', version: 1000 });
      expect(await registry.get(runid, 'disturbed9002')).toMatchObject({ last_status: 'synced' });
    } finally {
      await rec.close();
      await worker.close();
      await fq.close();
      await registry.close();
      await deleteKeys(redis, `${names.prefix}:*`);
      await knex.raw(`drop schema "${schema}" cascade`);
      await knex.destroy();
    }
  });
});
