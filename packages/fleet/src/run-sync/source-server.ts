// A run-sync source speaking WEPPcloud's protocol, so one Tidemark host can sync from another the way it syncs
// from a real WEPPcloud: `GET /weppcloud/runs/<runid>/<config>/aria2c.spec` and `…/download/<relpath>` (with
// `Range`), plus Tidemark's `…/tidemark-manifest.json` (sizes and sha256, so the importer can prove every byte),
// optionally behind a bearer token. Hashes are cached per file (size, mtime, inode), so a request costs a
// directory walk and the hashing of changed files only, not the whole run.
import { createReadStream } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { timingSafeEqual } from 'node:crypto';
import { readRunConfig, readVersion } from '@tidemark/plugin-run-dirs';
import { resolveRunDir } from '../jobs/resolve-run.js';
import { formatAria2Spec, SPEC_NAME, TIDEMARK_MANIFEST_NAME, wepppyRunUrl } from './aria2-spec.js';
import { buildManifest, checkManifest, type HashCache } from './manifest.js';

export interface RunSourceOptions {
  root: string;
  port?: number;
  host?: string;
  /** When set, every request needs `Authorization: Bearer <token>`. */
  token?: string;
  /** The base URL the spec's links use (behind a proxy); default the request's own Host. */
  publicUrl?: string;
}

export interface RunSource {
  url: string;
  /** Files hashed since the source started (a cached, unchanged file is not hashed again). */
  readonly hashed: number;
  close(): Promise<void>;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function send(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

const ROUTE = /^\/weppcloud\/runs\/([^/]+)\/([^/]+)\/(aria2c\.spec|tidemark-manifest\.json|download\/(.+))$/;

async function handle(
  options: RunSourceOptions,
  cache: HashCache,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (options.token) {
    const auth = req.headers.authorization ?? '';
    if (!auth.startsWith('Bearer ') || !sameSecret(auth.slice(7), options.token))
      return send(res, 401, 'unauthorized\n');
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed\n');
  const url = new URL(req.url ?? '/', 'http://source');
  const m = ROUTE.exec(url.pathname);
  if (!m) return send(res, 404, 'not found\n');
  let runid: string;
  let config: string;
  let dir: string | null;
  try {
    runid = decodeURIComponent(m[1]!);
    config = decodeURIComponent(m[2]!);
    dir = await resolveRunDir(options.root, runid);
  } catch {
    return send(res, 400, 'bad run id\n');
  }
  if (!dir) return send(res, 404, `no run ${runid}\n`);
  const own = (await readRunConfig({ dir })) ?? null;
  if (own !== null && own !== config) return send(res, 404, `run ${runid} has no config ${config}\n`);
  const manifest = await buildManifest(
    dir,
    runid,
    { config, version: await readVersion({ dir }).catch(() => null) },
    cache,
  );
  const base = new URL(options.publicUrl ?? `http://${req.headers.host ?? 'localhost'}/`);
  if (m[3] === SPEC_NAME)
    return send(
      res,
      200,
      formatAria2Spec(
        wepppyRunUrl(base, runid, config),
        manifest.files.map((f) => f.path),
      ),
    );
  if (m[3] === TIDEMARK_MANIFEST_NAME)
    return send(res, 200, JSON.stringify(checkManifest(manifest, runid)), 'application/json');
  let rel: string;
  try {
    rel = m[4]!.split('/').map(decodeURIComponent).join('/');
  } catch {
    return send(res, 400, 'bad path\n');
  }
  const file = manifest.files.find((f) => f.path === rel); // only what the manifest lists is ever served
  if (!file) return send(res, 404, `no file ${rel}\n`);
  const abs = join(dir, rel);
  const size = (await lstat(abs)).size;
  const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
  let start = 0;
  let end = size - 1;
  if (range) {
    start = Number(range[1]);
    end = range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
    if (start >= size) {
      res.writeHead(416, { 'content-range': `bytes */${size}` });
      return void res.end();
    }
  }
  const length = Math.max(0, end - start + 1);
  res.writeHead(range ? 206 : 200, {
    'content-type': 'application/octet-stream',
    'content-length': length,
    'accept-ranges': 'bytes',
    ...(range ? { 'content-range': `bytes ${start}-${end}/${size}` } : {}),
  });
  if (req.method === 'HEAD' || length === 0) return void res.end();
  createReadStream(abs, { start, end }).pipe(res);
}

export async function startRunSource(options: RunSourceOptions): Promise<RunSource> {
  const cache: HashCache = { files: new Map(), hashed: 0 };
  const server = createServer((req, res) => {
    handle(options, cache, req, res).catch(() => {
      if (!res.headersSent) send(res, 500, 'internal error\n');
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address}:${port}/`,
    get hashed() {
      return cache.hashed;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
