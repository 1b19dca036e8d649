// The emulator over real HTTP on a local port, for clients in other processes (the demo drives the `tidemark`
// binary, which cannot be intercepted by msw in-process). Point the official clients at it with
// `sheets({ version: 'v4', rootUrl: url })` and `drive({ version: 'v3', rootUrl: url })`: paths are the APIs'
// own (`/v4/spreadsheets/...`, `/drive/v3/files/...`), answered by the same msw handlers the tests use.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getResponse } from 'msw';
import type { GoogleEmulator } from './server.js';

export interface ServedEmulator {
  /** e.g. http://127.0.0.1:41234/ (ends with a slash, as the clients' rootUrl expects). */
  url: string;
  close(): Promise<void>;
}

const UPSTREAM: [prefix: string, origin: string][] = [
  ['/v4/', 'https://sheets.googleapis.com'],
  ['/drive/v3/', 'https://www.googleapis.com'],
  ['/token', 'https://oauth2.googleapis.com'],
];

/** `/_emulator/state/<spreadsheetId>`: every sheet's grid and formatted values, for a demo's own checks. */
function inspect(emulator: GoogleEmulator, path: string): unknown {
  const id = decodeURIComponent(path.slice('/_emulator/state/'.length));
  const s = emulator.model.spreadsheet(id);
  return {
    title: s.title,
    requests: emulator.count,
    writes: emulator.writes().length,
    sheets: s.sheets.map((sh) => ({
      title: sh.title,
      rowCount: sh.rowCount,
      columnCount: sh.columnCount,
      values: emulator.model.getValues(s, `'${sh.title.replace(/'/g, "''")}'`, 'FORMATTED_VALUE').values ?? [],
    })),
  };
}

async function body(req: IncomingMessage): Promise<Buffer | undefined> {
  if (req.method === 'GET' || req.method === 'HEAD') return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** `unref`: the open port does not keep the process alive (an app's test process exits without closing it). */
export async function serveEmulator(
  emulator: GoogleEmulator,
  options: { port?: number; host?: string; unref?: boolean } = {},
): Promise<ServedEmulator> {
  const handlers = emulator.handlers();
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    const send = (status: number, json: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(json));
    };
    void (async () => {
      if (path.startsWith('/_emulator/state/')) return send(200, inspect(emulator, path));
      const upstream = UPSTREAM.find(([prefix]) => path.startsWith(prefix));
      if (!upstream)
        return send(404, { error: { code: 404, status: 'NOT_FOUND', message: `The emulator does not serve ${path}` } });
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
      const request = new Request(`${upstream[1]}${path}`, {
        method: req.method ?? 'GET',
        headers,
        body: await body(req),
      });
      const response = await getResponse(handlers, request);
      if (!response || response.type === 'error') {
        // A network fault the tests inject: drop the connection like a cut network would.
        req.socket.destroy();
        return;
      }
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    })().catch((error: unknown) =>
      send(500, {
        error: { code: 500, status: 'INTERNAL', message: error instanceof Error ? error.message : String(error) },
      }),
    );
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, resolve);
  });
  if (options.unref) server.unref();
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}/`,
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
