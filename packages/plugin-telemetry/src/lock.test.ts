// The advisory lock on the machine's PostgreSQL: exclusivity, crash and TTL, and what waiting costs the
// server. Sessions are counted on the server (pg_stat_database.sessions, pg_stat_activity), not in the
// client, so a session opened anywhere on the way is seen.
import { acquireLease, newHolder, type Lock, type LockHolder } from '@tidemark/core';
import type { Knex } from 'knex';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { advisoryLock } from '@tidemark/plugin-telemetry';
import { createTestDb, type TestDb } from './test/pg.js';

describe('advisory lock lease', () => {
  let db: TestDb;
  beforeEach(async () => {
    db = await createTestDb();
  });
  afterEach(async () => {
    await db.drop();
  });

  it('is exclusive, inspectable, and freed when the holder crashes (its connection drops)', async () => {
    const a = advisoryLock(db.knex, 'k');
    const b = advisoryLock(db.connect(), 'k');
    const ha = newHolder();
    const hb = newHolder();
    expect(await a.acquire(ha, 30_000)).toBe(true);
    expect(await b.acquire(hb, 30_000)).toBe(false);
    const state = await b.inspect();
    expect(state).toMatchObject({ pid: process.pid });
    expect(Date.parse(state!.expiresAt)).toBeGreaterThan(Date.now());
    expect(await a.renew(ha, 30_000)).toBe(true);
    // crash: kill the holder's backend as a dying process would drop its socket
    await db.knex.raw(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE 'tidemark-lock%' AND datname = current_database()`,
    );
    await new Promise((r) => setTimeout(r, 100));
    expect(await b.acquire(hb, 30_000)).toBe(true);
    expect(await a.renew(ha, 30_000)).toBe(false);
    await b.release(hb);
    expect(await b.inspect()).toBeNull();
  });

  it('expires a holder that stops renewing (idle_session_timeout = ttl)', async () => {
    const a = advisoryLock(db.knex, 'k');
    const b = advisoryLock(db.connect(), 'k');
    expect(await a.acquire(newHolder(), 400)).toBe(true);
    const hb = newHolder();
    expect(await b.acquire(hb, 30_000)).toBe(false);
    await new Promise((r) => setTimeout(r, 1200));
    expect(await b.acquire(hb, 30_000)).toBe(true);
    await b.release(hb);
  });
});

describe('advisory lock: waiting for it', () => {
  // The observer (db.knex, one pooled connection) reads the server's view; the holder takes the lock on its
  // own session; the waiter's knex has one pooled connection (for inspect), opened before anything is counted.
  let db: TestDb;
  let waiterKnex: Knex;
  let holding: Lock;
  let waiting: Lock;
  let holder: LockHolder;
  let before: Set<number>;

  /** Client sessions on the test database but the observer's own. */
  async function clientSessions(): Promise<number[]> {
    const res = await db.knex.raw<{ rows: { pid: number }[] }>(
      `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid() ORDER BY pid`,
    );
    return res.rows.map((r) => r.pid);
  }
  /** Client sessions that were not there before the wait. */
  async function waiterSessions(): Promise<number[]> {
    return (await clientSessions()).filter((pid) => !before.has(pid));
  }
  /** Sessions ever opened on the test database (a backend reports its own after its first statement). */
  async function sessionsOpened(): Promise<number> {
    const res = await db.knex.raw<{ rows: { n: number }[] }>(
      `SELECT sessions::int AS n FROM pg_stat_database WHERE datname = current_database()`,
    );
    return res.rows[0]!.n;
  }
  /** The lock the waiter polls, recording after each refused poll which new sessions the server shows. */
  function observed(
    lock: Lock,
    onRefused?: (polls: number) => Promise<void>,
  ): Lock & { polls: number; seen: number[][] } {
    const seen: number[][] = [];
    const wrapped = {
      polls: 0,
      seen,
      async acquire(h: LockHolder, ttlMs: number) {
        const ok = await lock.acquire(h, ttlMs);
        wrapped.polls += 1;
        if (!ok) {
          seen.push(await waiterSessions());
          await onRefused?.(wrapped.polls);
        }
        return ok;
      },
      renew: (h: LockHolder, ttlMs: number) => lock.renew(h, ttlMs),
      release: (h: LockHolder) => lock.release(h),
      inspect: () => lock.inspect(),
    };
    return wrapped;
  }
  /** The backend holding the advisory lock, if any. */
  async function lockPid(): Promise<number | null> {
    const res = await db.knex.raw<{ rows: { pid: number }[] }>(
      `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted`,
    );
    return res.rows[0]?.pid ?? null;
  }

  beforeEach(async () => {
    db = await createTestDb({ min: 0, max: 1 });
    waiterKnex = db.connect();
    holding = advisoryLock(db.knex, 'k');
    waiting = advisoryLock(waiterKnex, 'k');
    holder = newHolder();
    expect(await holding.acquire(holder, 30_000)).toBe(true);
    await waiterKnex.raw('SELECT 1');
    before = new Set(await clientSessions());
    // observer + holder + the waiter's pooled connection: nothing else has touched this fresh database
    expect(before.size).toBe(2);
    await expect.poll(sessionsOpened, { timeout: 15_000 }).toBe(3);
  });
  afterEach(async () => {
    await db.drop();
  });

  it('a waiter that times out polled on one session, and closes it afterwards', async () => {
    const lock = observed(waiting);
    await expect(acquireLease(lock, { waitMs: 3000, pollMs: 25 })).rejects.toThrow(/lock not acquired within 3000 ms/);
    expect(lock.polls).toBeGreaterThanOrEqual(6);
    // one session opened for the whole wait, not one per poll
    await expect.poll(sessionsOpened, { timeout: 15_000 }).toBe(3 + 1);
    // and after every refused poll the server shows it, the same one
    expect(lock.seen.map((s) => s.length)).toEqual(lock.seen.map(() => 1));
    expect(new Set(lock.seen.flat()).size).toBe(1);
    // nothing tells the lock the wait was given up: its session ends once no poll comes
    await expect.poll(waiterSessions, { timeout: 10_000, interval: 200 }).toEqual([]);
    expect(await sessionsOpened()).toBe(3 + 1);
    expect(await lockPid()).not.toBeNull();
    await holding.release(holder);
  });

  it('the waiting session becomes the lock session when the holder lets go; release closes it', async () => {
    const lock = observed(waiting, async (polls) => {
      if (polls === 4) await holding.release(holder);
    });
    const lease = await acquireLease(lock, { waitMs: 20_000, pollMs: 25 });
    expect(lock.polls).toBe(5);
    const [waitedOn] = lock.seen[0]!;
    expect(lock.seen).toEqual([[waitedOn], [waitedOn], [waitedOn], [waitedOn]]);
    expect(await lockPid()).toBe(waitedOn);
    expect((await waiting.inspect())?.token).toBe(lease.holder.token);
    await lease.release();
    expect(await lockPid()).toBeNull();
    await expect.poll(waiterSessions, { timeout: 2000, interval: 50 }).toEqual([]);
    await expect.poll(sessionsOpened, { timeout: 15_000 }).toBe(3 + 1);
  });

  it('a waiting session the server ended is replaced at the next poll, and nothing is left behind', async () => {
    let killed: number | undefined;
    const lock = observed(waiting, async (polls) => {
      if (polls === 2) {
        expect(lock.seen[1]).toHaveLength(1);
        killed = lock.seen[1]![0];
        await db.knex.raw('SELECT pg_terminate_backend(?)', [killed!]);
        await expect.poll(waiterSessions, { timeout: 2000, interval: 20 }).toEqual([]);
      }
      if (polls === 4) await holding.release(holder);
    });
    const lease = await acquireLease(lock, { waitMs: 20_000, pollMs: 25 });
    const [, , third, fourth] = lock.seen;
    expect(third).toHaveLength(1);
    expect(third![0]).not.toBe(killed);
    expect(fourth).toEqual(third);
    expect(await lockPid()).toBe(third![0]);
    await lease.release();
    await expect.poll(waiterSessions, { timeout: 2000, interval: 50 }).toEqual([]);
    await expect.poll(sessionsOpened, { timeout: 15_000 }).toBe(3 + 2);
  });

  it('an aborted wait and a waiter that releases leave no session behind', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(acquireLease(waiting, { waitMs: 20_000, pollMs: 25, signal: controller.signal })).rejects.toThrow(
      /aborted while waiting/,
    );
    await expect.poll(waiterSessions, { timeout: 10_000, interval: 200 }).toEqual([]);

    // release() from a holder that never got the lock ends its waiting session at once
    const gaveUp = newHolder();
    expect(await waiting.acquire(gaveUp, 30_000)).toBe(false);
    expect(await waiterSessions()).toHaveLength(1);
    await waiting.release(gaveUp);
    await expect.poll(waiterSessions, { timeout: 2000, interval: 20 }).toEqual([]);
    expect((await holding.inspect())?.token).toBe(holder.token);
    await holding.release(holder);
  });
});
