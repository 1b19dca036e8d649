// One transaction per async call chain. A run-wide transaction (the `commit: 'run'` guard) or a batch
// transaction is kept in AsyncLocalStorage, so the steps, their validators and the checkpoint store all
// write through it, while concurrent runners in the same process keep their own connections.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { dialectOf } from './dialect.js';

interface Active {
  ds: DataSource;
  runner: QueryRunner;
}

const active = new AsyncLocalStorage<Active>();

/** A rehearsal's DataSource: every query of every call chain goes through its one transaction. */
const pinned = new WeakMap<DataSource, QueryRunner>();

export function pinTransaction(ds: DataSource, runner: QueryRunner): void {
  pinned.set(ds, runner);
}

export function unpinTransaction(ds: DataSource): void {
  pinned.delete(ds);
}

export function isPinned(ds: DataSource): boolean {
  return pinned.has(ds);
}

/** The query runner of the transaction open in this call chain on `ds` (or pinned to it), if any. */
export function currentRunner(ds: DataSource): QueryRunner | undefined {
  const a = active.getStore();
  return a && a.ds === ds ? a.runner : pinned.get(ds);
}

/** Runs a query inside the current transaction when there is one, else on the pool. */
export async function sql<R = any>(ds: DataSource, query: string, params: unknown[] = []): Promise<R[]> {
  const runner = currentRunner(ds);
  const result: unknown = runner ? await runner.query(query, params) : await ds.query(query, params);
  return result as R[];
}

/**
 * Runs `fn` in a transaction (a savepoint when one is already open in this call chain). On SQLite, foreign
 * keys are switched off around the outermost transaction, as TypeORM's own migration runner does, so that a
 * table rebuild (ALTER on SQLite) never cascades; `foreign_key_check` then proves nothing was left dangling.
 */
export async function inTransaction<R>(ds: DataSource, fn: (runner: QueryRunner) => Promise<R>): Promise<R> {
  const outer = currentRunner(ds);
  if (outer) {
    await outer.startTransaction();
    try {
      const result = await fn(outer);
      await outer.commitTransaction();
      return result;
    } catch (error) {
      await outer.rollbackTransaction();
      throw error;
    }
  }
  const runner = ds.createQueryRunner();
  const sqlite = dialectOf(ds) === 'sqlite';
  try {
    if (sqlite) await runner.query('PRAGMA foreign_keys = OFF');
    await runner.startTransaction();
    try {
      const result = await active.run({ ds, runner }, () => fn(runner));
      if (sqlite) {
        const dangling = (await runner.query('PRAGMA foreign_key_check')) as unknown[];
        if (dangling.length > 0) throw new Error(`foreign key check failed: ${JSON.stringify(dangling.slice(0, 5))}`);
      }
      await runner.commitTransaction();
      return result;
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      throw error;
    }
  } finally {
    try {
      if (sqlite) await runner.query('PRAGMA foreign_keys = ON');
    } finally {
      await runner.release();
    }
  }
}

/**
 * What a migration's SQL runs through: the EntityManager of the transaction open in this call chain (the
 * whole run's under `commit: 'run'`), else the DataSource's. Through `ctx.target` a statement would take a
 * second connection and wait forever on locks the run's own transaction holds.
 */
export function transactionOf(ctx: { readonly target: DataSource }): EntityManager {
  return currentRunner(ctx.target)?.manager ?? ctx.target.manager;
}
