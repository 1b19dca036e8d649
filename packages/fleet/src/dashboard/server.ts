// `tidemark fleet dashboard`: the admin page (node:http, no framework). Routes:
//   GET  /login, POST /login (token -> session cookie), POST /logout
//   GET  /            the fleet page (session required; anonymous requests are sent to /login)
//   GET  /app.js, /app.css
//   GET  /api/runs    one page of the fleet table (filters, sort, paging on the server)
//   GET  /api/events  Server-Sent Events relayed from the Redis channels `*:migration|run_sync|archive`
//   GET  /api/jobs    the most recent jobs
//   POST /api/jobs    {action, runIds} -> migration | validate | restore jobs   (CSRF token required)
//   POST /api/run-sync {runid, config, sourceHost, ...} -> a run-sync job        (CSRF token required)
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describeError, redact, type Plugin } from '@tidemark/core';
import { runDirsPlugin, type RunDirTarget } from '@tidemark/plugin-run-dirs';
import type { Redis } from 'ioredis';
import type { Redis as IoRedis } from 'ioredis';
import { openFleetQueue, type FleetQueue } from '../jobs/queue.js';
import type { FleetNames } from '../keys.js';
import { indexRoot } from '../runs/run-index.js';
import { SyncError } from '../run-sync/download.js';
import { publicRequest, type RunSyncRequest } from '../run-sync/request.js';
import { checkPushGuard } from '../run-sync/sync-run.js';
import { CHANNEL_KINDS, isTerminal, parseStatusMessage, type JobKind, type StatusMessage } from '../status/channels.js';
import { createAuth, type Session } from './auth.js';
import { FleetTable, type TableQuery, type TableRow } from './fleet-table.js';
import { APP_CSS, APP_JS, fleetPage, loginPage } from './page.js';

export interface DashboardOptions extends FleetNames {
  redis?: string | Redis;
  adminToken: string;
  port?: number;
  host?: string;
  /** Index this root at start (in the background; the page shows what is indexed so far). */
  root?: string;
  /** Run-sync default target root shown in the form. */
  syncRoot?: string;
  /** Set the cookie's Secure flag (behind TLS). */
  secureCookie?: boolean;
  sessionTtlMs?: number;
  pushHosts?: readonly string[];
  /**
   * The plugin the workers migrate with: its traits' titles and migrations' versions explain each row. Default
   * plugin-run-dirs'.
   */
  plugin?: Plugin<RunDirTarget>;
}

/** What a row's trait ids and pending migrations mean, from the plugin's definitions. */
function explainer(plugin: Plugin<RunDirTarget>) {
  const traits = new Map((plugin.traits ?? []).map((t) => [t.id, t]));
  const migrations = new Map(plugin.migrations.map((m) => [m.id, m]));
  return (row: TableRow) => {
    const planned =
      row.pending ??
      (row.traits ?? []).flatMap((id) => traits.get(id)?.fixes ?? []).filter((id, i, all) => all.indexOf(id) === i);
    const versions = planned.map((id) => migrations.get(id)?.version).filter((v): v is number => typeof v === 'number');
    return {
      ...row,
      traitInfo: (row.traits ?? []).map((id) => ({
        id,
        title: traits.get(id)?.title ?? id,
        fixes: traits.get(id)?.fixes ?? [],
        ...(traits.get(id)?.external ? { external: traits.get(id)!.external } : {}),
      })),
      planned: planned.map((id) => ({ id, title: migrations.get(id)?.title ?? id })),
      resultingVersion: versions.length > 0 ? Math.max(row.version ?? 0, ...versions) : row.version,
    };
  };
}

export interface Dashboard {
  url: string;
  table: FleetTable;
  queue: FleetQueue;
  /** Reloads every row from the run index. */
  reload(): Promise<void>;
  close(): Promise<void>;
}

const MAX_BODY = 64 * 1024;
const MAX_RUNS_PER_ACTION = 10_000;
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
};

function send(
  res: ServerResponse,
  status: number,
  body: string,
  type: string,
  extra: Record<string, string> = {},
): void {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    ...extra,
  });
  res.end(body);
}
const json = (res: ServerResponse, status: number, value: unknown) =>
  send(res, status, JSON.stringify(value), 'application/json; charset=utf-8');

async function readBody(req: IncomingMessage): Promise<string> {
  if (Number(req.headers['content-length'] ?? 0) > MAX_BODY) {
    req.resume();
    throw Object.assign(new Error(`request body too large (over ${MAX_BODY} bytes)`), { status: 413 });
  }
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) {
      req.resume();
      throw Object.assign(new Error(`request body too large (over ${MAX_BODY} bytes)`), { status: 413 });
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseQuery(url: URL): TableQuery {
  const num = (k: string) => (url.searchParams.has(k) ? Number(url.searchParams.get(k)) || undefined : undefined);
  const str = (k: string) => url.searchParams.get(k) || undefined;
  const sort = str('sort');
  return {
    ...(str('q') ? { q: str('q')! } : {}),
    ...(str('status') ? { status: str('status')! } : {}),
    ...(str('trait') ? { trait: str('trait')! } : {}),
    ...(str('version') ? { version: str('version')! } : {}),
    ...(str('source') ? { source: str('source')! } : {}),
    ...(str('owner') ? { owner: str('owner')! } : {}),
    ...(num('page') ? { page: num('page')! } : {}),
    ...(num('size') ? { size: num('size')! } : {}),
    ...(sort === 'run' || sort === 'version' || sort === 'status' || sort === 'updated' ? { sort } : {}),
  };
}

export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const auth = createAuth({
    adminToken: options.adminToken,
    ...(options.sessionTtlMs ? { sessionTtlMs: options.sessionTtlMs } : {}),
  });
  const fq = openFleetQueue({
    ...(options.prefix ? { prefix: options.prefix } : {}),
    ...(options.queue ? { queue: options.queue } : {}),
    ...(options.redis ? { redis: options.redis } : {}),
  });
  const table = new FleetTable();
  const explain = explainer(options.plugin ?? runDirsPlugin());
  const clients = new Set<ServerResponse>();
  const indexing = { done: 0, total: 0, running: false };

  const reload = async () => table.load(await fq.index.all());
  await reload();
  if (options.root) {
    indexing.running = true;
    void indexRoot(fq.index, options.root, {
      onProgress: (done, total) => {
        indexing.done = done;
        indexing.total = total;
      },
    })
      .then((states) => table.load(states))
      .catch(() => undefined)
      .finally(() => (indexing.running = false));
  }

  // One subscriber for the whole dashboard; each message updates the table and goes to every open page.
  const sub: Redis = fq.redis.duplicate();
  sub.on('error', () => undefined);
  const refreshing = new Set<string>();
  sub.on('pmessage', (_pattern: string, channel: string, text: string) => {
    const message = parseStatusMessage(channel, text);
    if (!message) return;
    table.apply(message);
    const line = `data: ${JSON.stringify(message)}\n\n`;
    for (const c of clients) c.write(line);
    if ((isTerminal(message.event) || message.event === 'ENQUEUED') && !refreshing.has(message.runId)) {
      refreshing.add(message.runId);
      void fq.index
        .get(message.runId)
        .then((row) => {
          if (!row) return;
          table.upsert(row);
          const again = table.get(row.runId);
          if (again)
            again.live = {
              event: message.event,
              at: message.at,
              ...(message.job ? { job: message.job } : {}),
              ...(message.message ? { message: message.message.slice(0, 300) } : {}),
            };
          for (const c of clients) c.write(`event: row\ndata: ${JSON.stringify(again ?? row)}\n\n`);
        })
        .catch(() => undefined)
        .finally(() => refreshing.delete(message.runId));
    }
  });
  await sub.psubscribe(...CHANNEL_KINDS.map((k) => `*:${k}`));
  const heartbeat = setInterval(() => {
    for (const c of clients) c.write(': keep-alive\n\n');
  }, 15_000);
  heartbeat.unref();

  const address = (req: IncomingMessage) => req.socket.remoteAddress ?? 'unknown';

  async function enqueue(kind: JobKind, body: { runIds?: unknown }, session: Session): Promise<unknown> {
    void session;
    const ids = Array.isArray(body.runIds) ? body.runIds.filter((x): x is string => typeof x === 'string') : [];
    if (ids.length === 0) throw Object.assign(new Error('runIds: pick at least one run'), { status: 400 });
    if (ids.length > MAX_RUNS_PER_ACTION)
      throw Object.assign(new Error(`runIds: at most ${MAX_RUNS_PER_ACTION} runs per action`), { status: 400 });
    const items = ids.map((runId) => {
      const row = table.get(runId);
      if (!row) throw Object.assign(new Error(`runIds: unknown run "${runId}"`), { status: 400 });
      return { runId, ...(row.dir ? { dir: row.dir } : {}) };
    });
    const results = await fq.enqueue(kind, items, { by: 'dashboard:admin' });
    return {
      action: kind,
      added: results.filter((r) => !r.collapsed).length,
      collapsed: results.filter((r) => r.collapsed).length,
      jobs: results,
    };
  }

  function syncRequest(body: Record<string, unknown>): RunSyncRequest {
    const str = (k: string) => (typeof body[k] === 'string' ? (body[k] as string).trim() : '');
    const request: RunSyncRequest = {
      runid: str('runid'),
      config: str('config'),
      sourceHost: str('sourceHost') || 'wepp.cloud',
      ...(str('ownerEmail') ? { ownerEmail: str('ownerEmail') } : {}),
      ...(str('targetRoot') || options.syncRoot ? { targetRoot: str('targetRoot') || options.syncRoot! } : {}),
      ...(str('authToken') ? { authToken: str('authToken') } : {}),
      ...(body.allowPush === true ? { allowPush: true } : {}),
      ...(body.overwrite === true ? { overwrite: true } : {}),
    };
    if (!request.runid) throw Object.assign(new Error('runid is required'), { status: 400 });
    if (!request.config) throw Object.assign(new Error('config is required'), { status: 400 });
    if (request.ownerEmail && !/^[^@\s]+@[^@\s]+$/.test(request.ownerEmail))
      throw Object.assign(new Error('owner email is not an email address'), { status: 400 });
    try {
      checkPushGuard(request, options.pushHosts);
    } catch (error) {
      if (error instanceof SyncError) throw Object.assign(new Error(error.message), { status: 400 });
      throw error;
    }
    return request;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://dashboard');
    const path = url.pathname;
    const method = req.method ?? 'GET';

    if (path === '/login' && method === 'GET')
      return send(res, 200, loginPage(url.searchParams.get('error') === '1'), 'text/html; charset=utf-8');
    if (path === '/login' && method === 'POST') {
      if (!auth.beginAttempt(address(req))) {
        req.resume(); // the body is never read: drain it so the connection can be reused
        return send(res, 429, 'too many failed logins; wait a minute', 'text/plain; charset=utf-8');
      }
      const token = new URLSearchParams(await readBody(req)).get('token') ?? '';
      const session = auth.login(token, address(req));
      if (!session) return send(res, 303, '', 'text/plain', { location: '/login?error=1' });
      return send(res, 303, '', 'text/plain', {
        location: '/',
        'set-cookie': auth.cookie(session, options.secureCookie === true),
      });
    }
    if (path === '/app.css') return send(res, 200, APP_CSS, 'text/css; charset=utf-8');

    const session = auth.sessionOf(req);
    if (!session) {
      if (path.startsWith('/api/')) return json(res, 401, { error: 'log in first' });
      if (method === 'GET') return send(res, 303, '', 'text/plain', { location: '/login' });
      return send(res, 401, 'log in first', 'text/plain; charset=utf-8');
    }
    if (method === 'POST' && !auth.csrfOk(req, session))
      return json(res, 403, { error: 'missing or wrong CSRF token' });

    if (path === '/' && method === 'GET')
      return send(
        res,
        200,
        fleetPage({ csrf: session.csrf, syncRoot: options.syncRoot ?? options.root ?? '' }),
        'text/html; charset=utf-8',
      );
    if (path === '/app.js') return send(res, 200, APP_JS, 'text/javascript; charset=utf-8');
    if (path === '/logout' && method === 'POST') {
      auth.logout(session);
      return json(res, 200, { ok: true });
    }
    if (path === '/api/runs' && method === 'GET') {
      const page = table.query(parseQuery(url));
      return json(res, 200, { ...page, rows: page.rows.map(explain), indexing });
    }
    if (path === '/api/events' && method === 'GET') {
      res.writeHead(200, {
        ...SECURITY_HEADERS,
        'content-type': 'text/event-stream; charset=utf-8',
        connection: 'keep-alive',
      });
      res.write(': connected\n\n');
      clients.add(res);
      req.on('close', () => clients.delete(res));
      return;
    }
    if (path === '/api/jobs' && method === 'GET') {
      const jobs = await fq.queue.getJobs(
        ['active', 'waiting', 'delayed', 'prioritized', 'completed', 'failed'],
        0,
        49,
        false,
      );
      return json(res, 200, {
        jobs: await Promise.all(
          jobs.filter(Boolean).map(async (j) => ({
            id: j.id,
            kind: j.name,
            runId: j.data.runId,
            state: await j.getState(),
            attempts: j.attemptsMade,
            by: j.data.by,
            enqueuedAt: j.data.enqueuedAt,
            finishedAt: j.finishedOn ? new Date(j.finishedOn).toISOString() : undefined,
            failedReason: j.failedReason ? redact(j.failedReason) : undefined,
            ...(j.data.sync ? { sync: publicRequest(j.data.sync) } : {}),
          })),
        ),
      });
    }
    if ((path === '/api/jobs' || path === '/api/run-sync') && method === 'POST') {
      const text = await readBody(req); // too large: 413, from the handler's catch
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        return json(res, 400, { error: 'the body must be JSON' });
      }
      if (path === '/api/run-sync') {
        const request = syncRequest(body);
        const [r] = await fq.enqueue('run-sync', [{ runId: request.runid, sync: request }], { by: 'dashboard:admin' });
        return json(res, 200, {
          action: 'run-sync',
          added: r!.collapsed ? 0 : 1,
          collapsed: r!.collapsed ? 1 : 0,
          jobs: [r],
        });
      }
      const action = body.action;
      if (action !== 'migration' && action !== 'validate' && action !== 'restore')
        return json(res, 400, { error: 'action must be migration, validate or restore' });
      return json(res, 200, await enqueue(action, body, session));
    }
    return json(res, 404, { error: 'not found' });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const status = (error as { status?: number }).status ?? 500;
      if (!res.headersSent) json(res, status, { error: redact(describeError(error)) });
      else res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const { address: host, port } = server.address() as AddressInfo;

  return {
    url: `http://${host}:${port}/`,
    table,
    queue: fq,
    reload,
    async close() {
      clearInterval(heartbeat);
      for (const c of clients) c.end();
      clients.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await sub.quit().catch(() => sub.disconnect());
      await fq.close();
    },
  };
}

export type { StatusMessage, IoRedis };
