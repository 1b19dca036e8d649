// The ledger lives in the database it describes, on @tidemark/sql's one ledger schema: one row per migration
// id, plus checkpoints. Tables are created on first write (not on read), so a run stopped by a pre-check
// leaves the database untouched, and a start with nothing pending is one SELECT.
// Its default table is `tidemark_telemetry_ledger`, so telemetry shares a database with any other plugin.
// 0.1 wrote `tidemark_ledger` (+ `_checkpoints`) with a column per field: that table is read as it is and,
// on the first write, renamed to the new name and given the new columns (its rows stay as they are).
import type { CheckpointStore, Ledger, Lock } from '@tidemark/core';
import { knexExecutor, sqlLedger, type SqlLedger } from '@tidemark/sql';
import type { Knex } from 'knex';
import { advisoryLock } from './lock.js';

export const DEFAULT_LEDGER_TABLE = 'tidemark_telemetry_ledger';
/** The table plugin-telemetry 0.1 wrote by default. */
export const LEGACY_LEDGER_TABLE = 'tidemark_ledger';

/** `lockKnex`: where the run lock's session comes from (default `knex`; a rehearsal's transaction has none). */
export function postgresLedger(
  knex: Knex,
  table?: string,
  lockKnex: Knex = knex,
): Ledger & { checkpoints: CheckpointStore } {
  const name = table ?? DEFAULT_LEDGER_TABLE;
  const legacy = table ?? LEGACY_LEDGER_TABLE;
  const make = () =>
    sqlLedger({
      executor: knexExecutor(knex),
      table: name,
      option: 'ledgerTable',
      // the name only feeds the lock key's hash; sqlLedger refuses a table name that is not an identifier
      lock: lazyLock(() => advisoryLock(lockKnex, `tidemark:${name}`)),
      legacy: { table: legacy, checkpoints: `${legacy}_checkpoints`, shape: 'columns' },
    });
  // Reads keep no state, so one reader per pool and table serves every call: an app's start with nothing
  // pending builds a ledger only to read it once. Writes (and the lock) get a ledger of their own per call,
  // whose "tables are there" memory lives no longer than the runner that asked for it.
  let readers = cachedReaders.get(knex);
  if (!readers) cachedReaders.set(knex, (readers = new Map()));
  let reader = readers.get(name);
  if (!reader) readers.set(name, (reader = make()));
  const shared = reader;
  let own: SqlLedger | undefined;
  const writer = () => (own ??= make());
  return {
    read: () => shared.read(),
    record: (entry) => writer().record(entry),
    remove: (id) => writer().remove(id),
    get lock() {
      return writer().lock;
    },
    checkpoints: {
      load: (id) => shared.checkpoints.load(id),
      save: (id, data) => writer().checkpoints.save(id, data),
      clear: (id) => writer().checkpoints.clear(id),
    },
  };
}

const cachedReaders = new WeakMap<Knex, Map<string, SqlLedger>>();

/** Built on first use: a start with nothing pending builds a ledger only to read it, at every boot. */
function lazyLock(make: () => Lock): Lock {
  let lock: Lock | undefined;
  const get = () => (lock ??= make());
  return {
    acquire: (holder, ttlMs) => get().acquire(holder, ttlMs),
    renew: (holder, ttlMs) => get().renew(holder, ttlMs),
    release: (holder) => get().release(holder),
    inspect: () => get().inspect(),
  };
}
