import { connect } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fleetKeys } from '../keys.js';
import type { FleetRunState } from '../runs/run-state.js';
import { deleteKeys, REDIS_URL, testNames, waitFor } from '../test/redis.js';
import { startDashboard, type Dashboard } from './server.js';

const TOKEN = 'admin-token-for-tests-0123';
let redis: Redis;
let names: ReturnType<typeof testNames>;
let dash: Dashboard;

const row = (i: number): FleetRunState => ({
  runId: `rlew-${String(i).padStart(5, '0')}`,
  dir: `/wc1/runs/rl/rlew-${i}`,
  config: i % 3 === 0 ? 'disturbed9002' : 'lt-fire',
  version: i % 4 === 0 ? 1000 : 0,
  readonly: false,
  traits: i % 5 === 0 ? [] : i % 2 === 0 ? ['watershed-csv', 'geojson-string-ids'] : ['watershed-csv'],
  archives: i % 7 === 0 ? [`rlew-${i}.pre_migration.20250101T000000Z.zip`] : [],
  lastStatus: i % 10 === 0 ? 'failed:NODB_LOCKED' : i % 2 === 0 ? 'migrated' : null,
  updatedAt: new Date(1_700_000_000_000 + i * 1000).toISOString(),
});

beforeAll(() => {
  redis = new Redis(REDIS_URL);
});
afterAll(async () => {
  await redis.quit();
});
beforeEach(async () => {
  names = testNames();
  const keys = fleetKeys(names);
  const pipe = redis.pipeline();
  for (let i = 0; i < 10_000; i++) pipe.hset(keys.runs, row(i).runId, JSON.stringify(row(i)));
  await pipe.exec();
  dash = await startDashboard({ ...names, redis: REDIS_URL, adminToken: TOKEN });
});
afterEach(async () => {
  await dash.close();
  await deleteKeys(redis, `${names.prefix}:*`);
});

async function login(token = TOKEN) {
  const res = await fetch(new URL('/login', dash.url), {
    method: 'POST',
    body: new URLSearchParams({ token }),
    redirect: 'manual',
  });
  const cookie = res.headers.get('set-cookie')?.split(';')[0];
  if (!cookie) return { res, cookie: undefined, csrf: undefined };
  const page = await (await fetch(dash.url, { headers: { cookie } })).text();
  const csrf = /name="csrf-token" content="([^"]+)"/.exec(page)?.[1];
  return { res, cookie, csrf };
}

describe('dashboard over HTTP', () => {
  it('no anonymous access: pages redirect to /login, the API answers 401, a wrong token gets no session', async () => {
    const page = await fetch(dash.url, { redirect: 'manual' });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/login');
    for (const path of ['/api/runs', '/api/events', '/api/jobs', '/app.js']) {
      expect((await fetch(new URL(path, dash.url), { redirect: 'manual' })).status, path).not.toBe(200);
    }
    expect((await fetch(new URL('/api/jobs', dash.url), { method: 'POST', body: '{}' })).status).toBe(401);
    const bad = await login('not-the-admin-token');
    expect(bad.cookie).toBeUndefined();
    expect(bad.res.headers.get('location')).toBe('/login?error=1');
    const good = await login();
    expect(good.res.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict/);
    expect((await fetch(new URL('/api/runs', dash.url), { headers: { cookie: good.cookie! } })).status).toBe(200);
  });

  it('POSTs need the session CSRF token and a same-origin Origin', async () => {
    const { cookie, csrf } = await login();
    expect(csrf).toMatch(/^[\w-]{40,}$/);
    const post = (headers: Record<string, string>) =>
      fetch(new URL('/api/jobs', dash.url), {
        method: 'POST',
        headers: { cookie: cookie!, 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ action: 'validate', runIds: ['rlew-00001'] }),
      });
    expect((await post({})).status).toBe(403);
    expect((await post({ 'x-csrf-token': 'forged' })).status).toBe(403);
    expect((await post({ 'x-csrf-token': csrf!, origin: 'https://evil.example' })).status).toBe(403);
    const ok = await post({ 'x-csrf-token': csrf!, origin: new URL(dash.url).origin });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ action: 'validate', added: 1 });
    expect(await dash.queue.queue.getJobCountByTypes('waiting')).toBe(1);
  });

  it('pages, filters and facets 10,000 runs on the server', async () => {
    const { cookie } = await login();
    const get = async (query: string) =>
      (await (await fetch(new URL(`/api/runs?${query}`, dash.url), { headers: { cookie: cookie! } })).json()) as {
        total: number;
        all: number;
        page: number;
        rows: FleetRunState[];
        facets: Record<string, Record<string, number>>;
        tookMs: number;
      };
    const first = await get('page=1&size=100');
    expect(first.all).toBe(10_000);
    expect(first.total).toBe(10_000);
    expect(first.rows).toHaveLength(100);
    expect(first.rows[0]!.runId).toBe('rlew-00000');
    const last = await get('page=100&size=100');
    expect(last.rows.at(-1)!.runId).toBe('rlew-09999');
    const failed = await get('status=failed');
    expect(failed.total).toBe(1000);
    expect(failed.rows.every((r) => r.lastStatus === 'failed:NODB_LOCKED')).toBe(true);
    const legacyGeo = await get('version=0&trait=geojson-string-ids');
    expect(legacyGeo.total).toBe(
      [...Array(10_000).keys()].filter((i) => i % 4 !== 0 && i % 5 !== 0 && i % 2 === 0).length,
    );
    expect(first.facets.statuses).toMatchObject({ failed: 1000, migrated: 4000, never: 5000 });
    const search = await get('q=rlew-0999');
    expect(search.total).toBe(10);
    // Measured, not asserted as a speed claim: printed for the report.
    console.log(`[fleet] /api/runs over 10,000 runs: ${first.tookMs} ms (all), ${legacyGeo.tookMs} ms (two filters)`);
  });

  it('streams status messages from the Redis channels as Server-Sent Events and updates the row', async () => {
    const { cookie } = await login();
    const controller = new AbortController();
    const res = await fetch(new URL('/api/events', dash.url), {
      headers: { cookie: cookie! },
      signal: controller.signal,
    });
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = res.body!.getReader();
    let text = '';
    const pump = (async () => {
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return;
        text += new TextDecoder().decode(value);
      }
    })();
    await waitFor('SSE connected', () => text.includes(': connected'));
    await redis.publish(
      'rlew-00001:migration',
      JSON.stringify({
        runId: 'rlew-00001',
        event: 'STEP_STARTED',
        at: new Date().toISOString(),
        job: 'migration',
        migration: 'f001',
        index: 1,
        total: 2,
      }),
    );
    await waitFor('the SSE message', () => text.includes('"STEP_STARTED"'));
    expect(dash.table.get('rlew-00001')!.live).toMatchObject({
      event: 'STEP_STARTED',
      migration: 'f001',
      index: 1,
      total: 2,
    });
    controller.abort();
    await pump;
  });

  it('Sync + register refuses a push host without allow_push and a token, and never echoes the token', async () => {
    const { cookie, csrf } = await login();
    const post = (body: Record<string, unknown>) =>
      fetch(new URL('/api/run-sync', dash.url), {
        method: 'POST',
        headers: { cookie: cookie!, 'content-type': 'application/json', 'x-csrf-token': csrf! },
        body: JSON.stringify(body),
      });
    const refused = await post({ runid: 'rlew-push', config: 'disturbed9002', sourceHost: 'wc.bearhive.duckdns.org' });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: string }).error).toMatch(/allow push/);
    const noToken = await post({
      runid: 'rlew-push',
      config: 'disturbed9002',
      sourceHost: 'wc.bearhive.duckdns.org',
      allowPush: true,
    });
    expect(((await noToken.json()) as { error: string }).error).toMatch(/token/);
    const ok = await post({
      runid: 'rlew-push',
      config: 'disturbed9002',
      sourceHost: 'wc.bearhive.duckdns.org',
      allowPush: true,
      authToken: 'push-secret-xyz',
    });
    expect(ok.status).toBe(200);
    const jobs = await (await fetch(new URL('/api/jobs', dash.url), { headers: { cookie: cookie! } })).text();
    expect(jobs).toContain('rlew-push');
    expect(jobs).not.toContain('push-secret-xyz');
  });
});

describe('dashboard: what each run needs, and the registry filters', () => {
  it("rows carry each trait's description, the planned migrations and the version they lead to; source host and owner filter", async () => {
    const keys = fleetKeys(names);
    const synced = (i: number, sourceHost: string, owner: string): FleetRunState => ({
      ...row(i),
      runId: `sync-${i}`,
      traits: ['watershed-legacy-tables', 'nodb-stale-paths'],
      sourceHost,
      owner,
    });
    for (const [i, host, owner] of [
      [1, 'wepp.cloud', 'ann@example.org'],
      [2, 'wepp.cloud', 'bob@example.org'],
      [3, 'dev.wepp.cloud', 'ann@example.org'],
    ] as const) {
      await redis.hset(keys.runs, `sync-${i}`, JSON.stringify(synced(i, host, owner)));
    }
    await dash.reload();
    const { cookie } = await login();
    const get = async (query: string) =>
      (await (await fetch(new URL(`/api/runs?${query}`, dash.url), { headers: { cookie: cookie! } })).json()) as {
        total: number;
        rows: {
          runId: string;
          traitInfo: { id: string; title: string; fixes: string[] }[];
          planned: { id: string }[];
          resultingVersion: number | null;
        }[];
        facets: { sources: Record<string, number>; owners: Record<string, number> };
      };
    const bySource = await get('source=wepp.cloud');
    expect(bySource.rows.map((r) => r.runId)).toEqual(['sync-1', 'sync-2']);
    expect(bySource.facets.sources).toMatchObject({ 'wepp.cloud': 2, 'dev.wepp.cloud': 1, '(local)': 10_000 });
    expect((await get('owner=ann@example.org')).rows.map((r) => r.runId)).toEqual(['sync-1', 'sync-3']);
    expect((await get('source=wepp.cloud&owner=ann@example.org')).total).toBe(1);
    const one = bySource.rows[0]!;
    expect(one.traitInfo.map((t) => t.id)).toEqual(['watershed-legacy-tables', 'nodb-stale-paths']);
    for (const t of one.traitInfo) {
      expect(t.title).not.toBe(t.id);
      expect(t.fixes.length).toBeGreaterThan(0);
    }
    expect(one.planned.map((m) => m.id)).toEqual(
      expect.arrayContaining(['001_nodb_run_paths', '004_watershed_tables']),
    );
    expect(one.resultingVersion).toBe(1003);
  });
});

describe('dashboard: hostile requests', () => {
  /** Sends the request line and headers now and the body only when `send` is called (a slow client). */
  function slowPost(path: string, body: string) {
    const url = new URL(dash.url);
    const socket = connect(Number(url.port), url.hostname);
    const response = new Promise<number>((resolve, reject) => {
      let text = '';
      socket.on('data', (d) => {
        text += String(d);
        const m = /^HTTP\/1\.1 (\d+)/.exec(text);
        if (m) {
          resolve(Number(m[1]));
          socket.destroy();
        }
      });
      socket.on('error', reject);
    });
    socket.write(
      `POST ${path} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`,
    );
    return { response, send: () => socket.write(body) };
  }

  it('a burst of wrong logins whose bodies arrive late gets at most the limit (10 a minute) checked', async () => {
    const attempts = Array.from({ length: 40 }, (_, i) => slowPost('/login', `token=wrong-guess-${i}`));
    await new Promise((r) => setTimeout(r, 300)); // every request's headers are in before any body
    for (const a of attempts) a.send();
    const statuses = await Promise.all(attempts.map((a) => a.response));
    expect(statuses.filter((s) => s === 303)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(30);
  });

  it('a malformed cookie or Referer is refused like a missing one, never a 500', async () => {
    const page = await fetch(dash.url, {
      headers: { cookie: 'tidemark_session=%E0%A4%A; other=%' },
      redirect: 'manual',
    });
    expect(page.status).toBe(303);
    expect((await fetch(new URL('/api/runs', dash.url), { headers: { cookie: 'x=%zz' } })).status).toBe(401);
    const { cookie, csrf } = await login();
    const post = await fetch(new URL('/api/jobs', dash.url), {
      method: 'POST',
      headers: { cookie: cookie!, 'x-csrf-token': csrf!, referer: 'http://[::1', 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'validate', runIds: ['rlew-00001'] }),
    });
    expect(post.status).toBe(403);
  });

  it('an oversized body is 413, whether announced by Content-Length or streamed', async () => {
    const { cookie, csrf } = await login();
    const big = JSON.stringify({ action: 'validate', runIds: Array.from({ length: 20_000 }, (_, i) => `rlew-${i}`) });
    const res = await fetch(new URL('/api/jobs', dash.url), {
      method: 'POST',
      headers: { cookie: cookie!, 'x-csrf-token': csrf!, 'content-type': 'application/json' },
      body: big,
    });
    expect(res.status).toBe(413);
    const streamed = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < 20; i++) c.enqueue(new TextEncoder().encode('x'.repeat(8192)));
        c.close();
      },
    });
    const res2 = await fetch(new URL('/api/jobs', dash.url), {
      method: 'POST',
      headers: { cookie: cookie!, 'x-csrf-token': csrf! },
      body: streamed,
      duplex: 'half',
    } as RequestInit);
    expect(res2.status).toBe(413);
  });
});
