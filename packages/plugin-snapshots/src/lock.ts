// Core's Lease Lock as one row in a table, on PostgreSQL and SQLite alike: acquire is a single upsert that
// only overwrites a row whose lease expired (or that we already hold), so a crashed holder's lock frees
// itself after its ttl and no one ever has to "unlock" by hand.
import type { DataSource } from 'typeorm';
import type { Lock, LockHolder, LockState } from '@tidemark/core';
import { placeholder, type Dialect } from './dialect.js';
import type { LedgerTables } from './ledger-tables.js';

export function rowLock(ds: DataSource, tables: LedgerTables, dialect: Dialect, clock: () => number = Date.now): Lock {
  const t = tables.lock;
  const p = (n: number) => placeholder(dialect, n);
  // Lock statements never join a migration's transaction: a lease must be visible to others at once.
  const q = async <R>(query: string, params: unknown[]) => {
    await tables.ensure();
    return (await ds.query(query, params)) as R[];
  };
  const holderOf = async (): Promise<LockState | null> => {
    const rows = await q<{ token: string; host: string; pid: number; since: string; expires_at: string | number }>(
      `SELECT token, host, pid, since, expires_at FROM ${t} WHERE name = 'migrations'`,
      [],
    );
    const row = rows[0];
    if (!row) return null;
    return { token: row.token, host: row.host, pid: Number(row.pid), since: row.since, expiresAt: new Date(Number(row.expires_at)).toISOString() };
  };

  return {
    async acquire(holder: LockHolder, ttlMs: number) {
      const now = clock();
      await q(
        `INSERT INTO ${t} (name, token, host, pid, since, expires_at) VALUES ('migrations', ${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)})
         ON CONFLICT (name) DO UPDATE SET token = excluded.token, host = excluded.host, pid = excluded.pid, since = excluded.since, expires_at = excluded.expires_at
         WHERE ${t}.expires_at <= ${p(6)} OR ${t}.token = ${p(7)}`,
        [holder.token, holder.host, holder.pid, holder.since, now + ttlMs, now, holder.token],
      );
      const current = await holderOf();
      return current?.token === holder.token;
    },
    async renew(holder: LockHolder, ttlMs: number) {
      const now = clock();
      await q(`UPDATE ${t} SET expires_at = ${p(1)} WHERE name = 'migrations' AND token = ${p(2)} AND expires_at > ${p(3)}`, [now + ttlMs, holder.token, now]);
      const current = await holderOf();
      return current?.token === holder.token && Date.parse(current.expiresAt) > now;
    },
    async release(holder: LockHolder) {
      await q(`DELETE FROM ${t} WHERE name = 'migrations' AND token = ${p(1)}`, [holder.token]);
    },
    async inspect() {
      const current = await holderOf();
      return current && Date.parse(current.expiresAt) > clock() ? current : null;
    },
  };
}
