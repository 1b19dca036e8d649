// Core's Ledger + Lock + checkpoints on one table schema, for every SQL plugin and for an app's own schema.
// A start with nothing pending costs one round trip: the ledger is read without asking first whether its
// table exists (a missing table is an empty ledger), and tables are created (or upgraded) by the first write.
import type { CheckpointStore, Ledger, LedgerEntry, Lock } from '@tidemark/core';
import { advisoryLock } from './advisory-lock.js';
import { isUndefinedColumn, isUndefinedTable, sqlError } from './errors.js';
import type { SqlExecutor } from './executor.js';
import { checkIdentifier } from './identifier.js';
import { leaseRowLock } from './lease-row-lock.js';
import {
  createCheckpointsTable,
  entriesOfLegacy,
  entryFromColumns,
  entryParams,
  selectEntries,
  upgradeInPlace,
  upsertEntry,
  type LegacyLedger,
} from './schema.js';

/** 'advisory': a PostgreSQL session advisory lock; 'lease-row': a row with an expiry in `<table>_lock`. */
export type LockStrategy = 'advisory' | 'lease-row';

export interface SqlLedgerOptions {
  /** Ledger statements run here (a plugin may route them through its open transaction). */
  executor: SqlExecutor;
  /** The ledger table, e.g. `tidemark_<plugin>_ledger`. */
  table: string;
  /** Default `<table>_checkpoints`. */
  checkpointsTable?: string;
  /** The lease-row lock's table. Default `<table>_lock`. */
  lockTable?: string;
  /**
   * Default: 'advisory' on PostgreSQL when the executor can open a session of its own, else 'lease-row'.
   * A Lock object is used as it is.
   */
  lock?: LockStrategy | Lock;
  /** Where the lock's statements run; default the executor. Never a transaction: a lease must be seen at once. */
  lockExecutor?: SqlExecutor;
  /** The advisory lock's name (hashed to its key). Default `tidemark:<table>`. */
  lockName?: string;
  /** The lease-row lock's clock (tests). */
  clock?: () => number;
  /** A table an earlier release wrote: read until the first write, then upgraded in place. */
  legacy?: LegacyLedger;
  /** The option the table name came from, for errors (e.g. "ledgerTable"). Default "table". */
  option?: string;
}

export type SqlLedger = Ledger & { readonly checkpoints: CheckpointStore; readonly table: string };

const SAVEPOINT = 'tidemark_ledger_read';

export function sqlLedger(options: SqlLedgerOptions): SqlLedger {
  const option = options.option ?? 'table';
  const table = checkIdentifier(options.table, option);
  const checkpoints = checkIdentifier(options.checkpointsTable ?? `${table}_checkpoints`, `${option} (checkpoints)`);
  const lockTable = checkIdentifier(options.lockTable ?? `${table}_lock`, `${option} (lock)`);
  const legacy = options.legacy && { ...options.legacy, table: checkIdentifier(options.legacy.table, 'legacy.table') };
  const ex = options.executor;

  /**
   * A statement that may fail on a missing table: inside an open PostgreSQL transaction it runs under a
   * savepoint, since a failed statement would otherwise abort the caller's whole transaction.
   */
  const tolerant = async <R>(fn: () => Promise<R>): Promise<R> => {
    if (ex.dialect !== 'postgres' || !ex.inTransaction()) return fn();
    await ex.query(`SAVEPOINT ${SAVEPOINT}`);
    try {
      const result = await fn();
      await ex.query(`RELEASE SAVEPOINT ${SAVEPOINT}`);
      return result;
    } catch (error) {
      await ex.query(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}`);
      throw error;
    }
  };

  const readLegacy = async (name: string, sameTable: boolean): Promise<LedgerEntry[]> => {
    let rows;
    try {
      rows = await tolerant(() => ex.query(`SELECT * FROM ${name} ORDER BY seq`));
    } catch (error) {
      if (isUndefinedTable(error) || (!sameTable && isUndefinedColumn(error))) return [];
      throw error;
    }
    const found = entriesOfLegacy(rows);
    if (found.shape === legacy?.shape) return found.entries;
    if (sameTable)
      throw sqlError(
        'INVALID_DEFINITION',
        `table "${name}" exists but is not a Tidemark ledger of this kind (other columns); set "${option}" to another table name`,
      );
    // Another plugin's table under the old shared default name: not ours.
    return [];
  };

  let ready: Promise<void> | undefined;
  const ensure = (): Promise<void> => {
    if (ready) return ready;
    // No transaction of its own: PGlite's one connection may be inside the caller's step transaction, where
    // a BEGIN/COMMIT would commit the caller's work. Every upgrade step is found again from the columns, so
    // an upgrade stopped half-way is finished by the next write.
    const run = async () => {
      await upgradeInPlace(ex, table, checkpoints, legacy);
      await ex.query(createCheckpointsTable(checkpoints));
    };
    // Tables created inside a caller's transaction vanish if it rolls back; SQLite's one connection may be
    // inside one at any time. Only a write outside any transaction is remembered.
    if (ex.dialect === 'sqlite' || ex.inTransaction()) return run();
    ready = run().catch((error: unknown) => {
      ready = undefined;
      throw error;
    });
    return ready;
  };

  const lock = ((): Lock => {
    const chosen =
      options.lock ?? (ex.dialect === 'postgres' && (options.lockExecutor ?? ex).session ? 'advisory' : 'lease-row');
    if (typeof chosen === 'object') return chosen;
    if (chosen === 'advisory') return advisoryLock(options.lockExecutor ?? ex, options.lockName ?? `tidemark:${table}`);
    return leaseRowLock({
      executor: options.lockExecutor ?? ex,
      table: lockTable,
      ...(options.clock ? { clock: options.clock } : {}),
    });
  })();

  const loadCheckpoint = async (name: string, id: string): Promise<unknown> => {
    const rows = await tolerant(() =>
      ex.query<{ data: string }>(`SELECT CAST(data AS text) AS data FROM ${name} WHERE migration_id = ?`, [id]),
    );
    return rows[0] ? (JSON.parse(rows[0].data) as unknown) : null;
  };

  return {
    table,
    async read() {
      try {
        const rows = await tolerant(() => ex.query(selectEntries(table)));
        // An upgrade from the JSON-entry shape that a crash stopped after adding the columns: still that shape.
        if (rows.some((r) => r.checksum === null)) return readLegacy(table, true);
        return rows.map(entryFromColumns);
      } catch (error) {
        if (isUndefinedTable(error)) return legacy && legacy.table !== table ? readLegacy(legacy.table, false) : [];
        if (isUndefinedColumn(error)) return readLegacy(table, true);
        throw error;
      }
    },
    async record(entry) {
      await ensure();
      await ex.query(upsertEntry(table), entryParams(entry));
    },
    async remove(id) {
      await ensure();
      await ex.query(`DELETE FROM ${table} WHERE id = ?`, [id]);
    },
    lock,
    checkpoints: {
      async load(id) {
        try {
          return await loadCheckpoint(checkpoints, id);
        } catch (error) {
          if (!isUndefinedTable(error)) throw error;
        }
        if (!legacy?.checkpoints || legacy.checkpoints === checkpoints) return null;
        try {
          return await loadCheckpoint(legacy.checkpoints, id);
        } catch (error) {
          if (isUndefinedTable(error)) return null;
          throw error;
        }
      },
      async save(id, data) {
        await ensure();
        await ex.query(
          `INSERT INTO ${checkpoints} (migration_id, data) VALUES (?, ?) ON CONFLICT (migration_id) DO UPDATE SET data = excluded.data`,
          [id, JSON.stringify(data)],
        );
      },
      async clear(id) {
        await ensure();
        await ex.query(`DELETE FROM ${checkpoints} WHERE migration_id = ?`, [id]);
      },
    },
  };
}
