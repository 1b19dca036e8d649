// Core's Lease Lock as one row in a table, on PostgreSQL and SQLite alike (@tidemark/sql's lease-row lock):
// acquire is a single upsert that only overwrites a row whose lease expired (or that we already hold), so a
// crashed holder's lock frees itself after its ttl and no one ever has to "unlock" by hand.
import type { DataSource } from 'typeorm';
import type { Lock } from '@tidemark/core';
import { leaseRowLock, typeormExecutor } from '@tidemark/sql';

export function rowLock(ds: DataSource, tables: { readonly lock: string }, clock: () => number = Date.now): Lock {
  // Lock statements never join a migration's transaction: a lease must be visible to others at once.
  return leaseRowLock({ executor: typeormExecutor(ds), table: tables.lock, clock });
}
