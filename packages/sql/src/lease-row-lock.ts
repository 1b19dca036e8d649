// Core's lease Lock as one row in a table, for databases without session locks (SQLite): acquire is a
// single upsert that only overwrites a row whose lease expired (or that we already hold), so a crashed
// holder's lock frees itself after its ttl and nobody ever has to "unlock" by hand. The table is created
// by the first acquire; reads of a missing table find the lock free.
import type { Lock, LockHolder, LockState } from '@tidemark/core';
import { isUndefinedTable } from './errors.js';
import type { SqlExecutor } from './executor.js';

export interface LeaseRowLockOptions {
  /** Statements run here, never inside a migration's transaction: a lease must be visible to others at once. */
  executor: SqlExecutor;
  table: string;
  clock?: () => number;
}

export function leaseRowLock({ executor, table, clock = Date.now }: LeaseRowLockOptions): Lock {
  let created: Promise<void> | undefined;
  const create = async () => {
    try {
      await executor.query(
        `CREATE TABLE IF NOT EXISTS ${table} (name varchar(50) PRIMARY KEY, token varchar(100) NOT NULL, host varchar(200) NOT NULL, pid integer NOT NULL, since varchar(40) NOT NULL, expires_at bigint NOT NULL)`,
      );
    } catch (error) {
      // Two runners racing on CREATE TABLE IF NOT EXISTS in PostgreSQL: the loser sees a duplicate type.
      if (!/already exists|duplicate key/i.test(String(error))) throw error;
    }
  };
  // SQLite's one connection may be inside a transaction that later rolls back (and takes the table with it).
  const ensure = () =>
    executor.dialect === 'sqlite'
      ? create()
      : (created ??= create().catch((e: unknown) => ((created = undefined), Promise.reject(e))));
  const orFree = async <R>(fn: () => Promise<R>, free: R): Promise<R> => {
    try {
      return await fn();
    } catch (error) {
      if (isUndefinedTable(error)) return free;
      throw error;
    }
  };
  const holderOf = async (): Promise<LockState | null> => {
    const rows = await orFree(
      () =>
        executor.query<{ token: string; host: string; pid: number; since: string; expires_at: string | number }>(
          `SELECT token, host, pid, since, expires_at FROM ${table} WHERE name = 'migrations'`,
        ),
      [],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      token: row.token,
      host: row.host,
      pid: Number(row.pid),
      since: row.since,
      expiresAt: new Date(Number(row.expires_at)).toISOString(),
    };
  };

  return {
    async acquire(holder: LockHolder, ttlMs: number) {
      await ensure();
      const now = clock();
      await executor.query(
        `INSERT INTO ${table} (name, token, host, pid, since, expires_at) VALUES ('migrations', ?, ?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET token = excluded.token, host = excluded.host, pid = excluded.pid, since = excluded.since, expires_at = excluded.expires_at
         WHERE ${table}.expires_at <= ? OR ${table}.token = ?`,
        [holder.token, holder.host, holder.pid, holder.since, now + ttlMs, now, holder.token],
      );
      return (await holderOf())?.token === holder.token;
    },
    async renew(holder: LockHolder, ttlMs: number) {
      const now = clock();
      await orFree(
        () =>
          executor.query(
            `UPDATE ${table} SET expires_at = ? WHERE name = 'migrations' AND token = ? AND expires_at > ?`,
            [now + ttlMs, holder.token, now],
          ),
        [],
      );
      const current = await holderOf();
      return current?.token === holder.token && Date.parse(current.expiresAt) > now;
    },
    async release(holder: LockHolder) {
      await orFree(
        () => executor.query(`DELETE FROM ${table} WHERE name = 'migrations' AND token = ?`, [holder.token]),
        [],
      );
    },
    async inspect() {
      const current = await holderOf();
      return current && Date.parse(current.expiresAt) > clock() ? current : null;
    },
  };
}
