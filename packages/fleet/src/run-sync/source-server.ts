// A run-sync source: serves the runs under a root as `GET /runs/<runid>/manifest` (files with sizes and
// sha256) and `GET /runs/<runid>/files/<path>` (with `Range`), optionally behind a bearer token. Any
// Tidemark host can be a source for another (dev -> prod pushes); tests use it as the "real" remote.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { timingSafeEqual } from 'node:crypto';
import { readRunConfig, readVersion } from '@tidemark/plugin-run-dirs';
import { resolveRunDir } from '../jobs/resolve-run.js';
import { buildManifest, checkManifest } from './manifest.js';

export interface RunSourceOptions {
  root: string;
  port?: number;
  host?: string;
  /** When set, every request needs `Authorization: Bearer <token>`. */
  token?: string;
}

export interface RunSource {
  url: string;
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

async function handle(options: RunSourceOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (options.token) {
    const auth = req.headers.authorization ?? '';
    if (!auth.startsWith('Bearer ') || !sameSecret(auth.slice(7), options.token)) return send(res, 401, 'unauthorized\n');
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed\n');
  const url = new URL(req.url ?? '/', 'http://source');
  const m = /^\/runs\/([^/]+)\/(manifest|files\/(.+))$/.exec(url.pathname);
  if (!m) return send(res, 404, 'not found\n');
  const runid = decodeURIComponent(m[1]!);
  let dir: string | null;
  try {
    dir = await resolveRunDir(options.root, runid);
  } catch {
    return send(res, 400, 'bad run id\n');
  }
  if (!dir) return send(res, 404, `no run ${runid}\n`);
  const manifest = await buildManifest(dir, runid, { config: (await readRunConfig({ dir })) ?? '', version: await readVersion({ dir }).catch(() => null) });
  if (m[2] === 'manifest') return send(res, 200, JSON.stringify(checkManifest(manifest, runid)), 'application/json');
  const rel = m[3]!.split('/').map(decodeURIComponent).join('/');
  const file = manifest.files.find((f) => f.path === rel); // only what the manifest lists is ever served
  if (!file) return send(res, 404, `no file ${rel}\n`);
  const abs = join(dir, rel);
  const size = (await stat(abs)).size;
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
  const server = createServer((req, res) => {
    handle(options, req, res).catch(() => {
      if (!res.headersSent) send(res, 500, 'internal error\n');
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address}:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
