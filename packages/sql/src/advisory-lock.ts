// The run lock on PostgreSQL advisory locks, shaped as core's lease contract.
//
// acquire: a dedicated connection (outside the caller's pool) runs pg_try_advisory_lock; the lock lives as long
//   as that session. A crashed holder's connection drops and PostgreSQL frees the lock at once.
// waiting: a refused holder keeps its session for its next poll (core's acquireLease polls with the same
//   holder until it gets the lock or gives up), so a wait costs one session, not one per poll, and the lock,
//   once free, is taken on that session. Core never says a wait was given up (timeout, abort), so the session
//   ends when no poll came for WAIT_SESSION_IDLE_MS, or at once on release(holder); the server ends it after
//   twice that (idle_session_timeout) if this process stops running. A session the server ended is replaced at
//   the next poll.
// ttl: on PostgreSQL >= 14 the session gets idle_session_timeout = ttl, so a holder that stops renewing (hung,
//   stopped in a debugger, partitioned) is disconnected by the server after ttl and the lock is free again:
//   a real lease enforced server-side. Older servers only get the crash case.
// renew: a query on the dedicated session (resets the idle timer) that also checks the lock is still granted.
// release: pg_advisory_unlock, then the session is closed.
// inspect: pg_locks joined with pg_stat_activity from any connection. The holder (token, host, pid, since,
//   ttl) rides in a comment on every statement the lock session runs, so pg_stat_activity.query (the session's
//   last statement) always names it — application_name has only 63 bytes. expiresAt = last renew + ttl.
// The session comes from the executor (knex: a raw connection outside its pool; TypeORM: a query runner the pool
// drops afterwards). PGlite and SQLite have none: they use the lease-row lock (or the caller's own Lock).
import type { Lock, LockHolder, LockState } from '@tidemark/core';
import { hostname } from 'node:os';
import { sqlError } from './errors.js';
import type { SqlExecutor, SqlSession } from './executor.js';

const CLASS_KEY = 0x7464; // "td"
// Above acquireLease's longest pause between two polls (1 s backoff cap + 50 % jitter) plus an inspect.
const WAIT_SESSION_IDLE_MS = 3_000;

type RawClient = SqlSession;

/** A comment naming the holder; appended to each statement of the lock session. */
function holderComment(holder: LockHolder, ttlMs: number): string {
  const data = Buffer.from(
    JSON.stringify({ t: holder.token, h: holder.host, p: holder.pid, s: holder.since, ttl: ttlMs }),
  ).toString('base64url');
  return ` /* tidemark-lock:${data} */`;
}

function parseHolder(query: string | null): (LockHolder & { ttl: number }) | null {
  const m = /\/\* tidemark-lock:([A-Za-z0-9_-]+) \*\//.exec(query ?? '');
  if (!m) return null;
  try {
    const d = JSON.parse(Buffer.from(m[1]!, 'base64url').toString('utf8')) as {
      t: string;
      h: string;
      p: number;
      s: string;
      ttl: number;
    };
    return { token: d.t, host: d.h, pid: d.p, since: d.s, ttl: d.ttl };
  } catch {
    return null;
  }
}

export function advisoryKey(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return (h >>> 0) & 0x7fffffff;
}

/** A PostgreSQL session advisory lock named `name` (hashed to a 31-bit key), shaped as core's lease Lock. */
export function advisoryLock(executor: SqlExecutor, name: string): Lock {
  const openSession = executor.session?.bind(executor);
  if (executor.dialect !== 'postgres' || !openSession) {
    throw sqlError(
      'NOT_SUPPORTED',
      `an advisory lock needs PostgreSQL with a connection of its own (dialect ${executor.dialect}); use the lease-row lock`,
    );
  }
  const objKey = advisoryKey(name);
  let session: { conn: RawClient; holder: LockHolder; comment: string } | null = null;
  /** Sessions of holders that were refused, by token, kept for their next poll. */
  const waiting = new Map<string, { conn: RawClient; idle: NodeJS.Timeout }>();

  async function close(conn: RawClient): Promise<void> {
    await conn.close().catch(() => undefined);
  }

  async function open(): Promise<RawClient> {
    return openSession!();
  }

  async function tryLock(conn: RawClient): Promise<boolean> {
    const got = await conn.query('SELECT pg_try_advisory_lock($1, $2) AS ok', [CLASS_KEY, objKey]);
    return got[0]?.ok === true;
  }

  /** The holder's waiting session, no longer parked (its idle timer stopped). */
  function unpark(token: string): RawClient | null {
    const w = waiting.get(token);
    if (!w) return null;
    waiting.delete(token);
    clearTimeout(w.idle);
    return w.conn;
  }

  function park(token: string, conn: RawClient): void {
    // two polls at once for one holder: keep one session
    const other = unpark(token);
    if (other) void close(other);
    const idle = setTimeout(() => {
      if (waiting.get(token)?.conn !== conn) return;
      waiting.delete(token);
      void close(conn);
    }, WAIT_SESSION_IDLE_MS);
    idle.unref();
    waiting.set(token, { conn, idle });
  }

  /** Names a new waiting session in pg_stat_activity and has the server end it if its polls stop. */
  async function markWaiting(conn: RawClient, holder: LockHolder): Promise<void> {
    const label = `tidemark-wait ${holder.pid} ${holder.host}`.slice(0, 63);
    await conn.query(
      `SELECT set_config('application_name', $1, false),
              CASE WHEN current_setting('server_version_num')::int >= 140000 THEN set_config('idle_session_timeout', $2, false) END`,
      [label, String(2 * WAIT_SESSION_IDLE_MS)],
    );
  }

  return {
    async acquire(holder: LockHolder, ttlMs: number) {
      if (session) return session.holder.token === holder.token ? this.renew(holder, ttlMs) : false;
      let conn = unpark(holder.token);
      let got = false;
      let opened = false;
      if (conn) {
        try {
          got = await tryLock(conn);
        } catch {
          // the server ended the waiting session (idle timeout, restart): wait on a new one
          await close(conn);
          conn = null;
        }
      }
      if (!conn) {
        conn = await open();
        opened = true;
        try {
          got = await tryLock(conn);
        } catch (error) {
          await close(conn);
          throw error;
        }
      }
      try {
        if (!got) {
          if (opened) await markWaiting(conn, holder);
          park(holder.token, conn);
          return false;
        }
        const comment = holderComment(holder, ttlMs);
        const since = Date.parse(holder.since) || Date.now();
        const label = `tidemark-lock ${since.toString(36)} ${ttlMs} ${holder.pid} ${holder.host}`.slice(0, 63);
        await conn.query(`SELECT set_config('application_name', $1, false)`, [label]);
        const version = await conn.query(`SELECT current_setting('server_version_num')::int AS v`);
        if (Number(version[0]?.v) >= 140000) {
          await conn.query(`SELECT set_config('idle_session_timeout', $1, false)`, [
            String(Math.max(1, Math.ceil(ttlMs))),
          ]);
        }
        // The last statement of the session: pg_stat_activity shows it, holder comment included.
        await conn.query(`SELECT 1${comment}`);
        session = { conn, holder, comment };
        return true;
      } catch (error) {
        await close(conn);
        throw error;
      }
    },
    async renew(holder: LockHolder, _ttlMs: number) {
      if (!session || session.holder.token !== holder.token) return false;
      const { conn } = session;
      try {
        const res = await conn.query(
          `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND classid = $1 AND objid = $2 AND objsubid = 2 AND granted${session.comment}`,
          [CLASS_KEY, objKey],
        );
        if (res[0]?.n === 1) return true;
      } catch {
        // the session is gone (idle timeout, server restart, network): so is the lock
      }
      session = null;
      await close(conn);
      return false;
    },
    async release(holder: LockHolder) {
      const parked = unpark(holder.token);
      if (parked) await close(parked);
      if (!session || session.holder.token !== holder.token) return;
      const { conn } = session;
      session = null;
      await conn.query('SELECT pg_advisory_unlock($1, $2)', [CLASS_KEY, objKey]).catch(() => undefined);
      await close(conn);
    },
    async inspect(): Promise<LockState | null> {
      const res = await executor.query<{
        application_name: string;
        pid: number;
        state: string;
        state_change: Date | string | null;
        backend_start: Date | string;
        query: string | null;
      }>(
        `SELECT a.application_name, a.pid, a.state, a.state_change, a.backend_start, a.query
           FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
          WHERE l.locktype = 'advisory' AND l.classid = ? AND l.objid = ? AND l.objsubid = 2 AND l.granted`,
        [CLASS_KEY, objKey],
      );
      const row = res[0];
      if (!row) return null;
      const last = row.state === 'idle' && row.state_change ? new Date(row.state_change).getTime() : Date.now();
      const holder = parseHolder(row.query);
      if (holder)
        return {
          token: holder.token,
          host: holder.host,
          pid: holder.pid,
          since: holder.since,
          expiresAt: new Date(last + holder.ttl).toISOString(),
        };
      // Not our statement text (another role without pg_read_all_stats sees none): fall back to application_name.
      const m = /^tidemark-lock (\w+) (\d+) (\d+) (.*)$/.exec(row.application_name ?? '');
      const ttl = m ? Number(m[2]) : 0;
      return {
        token: `pg-backend-${row.pid}`,
        host: m ? m[4]! : hostname(),
        pid: m ? Number(m[3]) : row.pid,
        since: new Date(m ? parseInt(m[1]!, 36) : new Date(row.backend_start).getTime()).toISOString(),
        expiresAt: new Date(last + ttl).toISOString(),
      };
    },
  };
}
