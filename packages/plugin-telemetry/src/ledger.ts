// The ledger lives in the database it describes, on @tidemark/sql's one ledger schema: one row per migration
// id, plus checkpoints. Tables are created on first write (not on read), so a run stopped by a pre-check
// leaves the database untouched, and a start with nothing pending is one SELECT.
// Its default table is `tidemark_telemetry_ledger`, so telemetry shares a database with any other plugin.
// 0.1 wrote `tidemark_ledger` (+ `_checkpoints`) with a column per field: that table is read as it is and,
// on the first write, renamed to the new name and given the new columns (its rows stay as they are).
import type { CheckpointStore, Ledger } from '@tidemark/core';
import { knexExecutor, sqlLedger } from '@tidemark/sql';
import type { Knex } from 'knex';
import { advisoryLock } from './lock.js';

export const DEFAULT_LEDGER_TABLE = 'tidemark_telemetry_ledger';
/** The table plugin-telemetry 0.1 wrote by default. */
export const LEGACY_LEDGER_TABLE = 'tidemark_ledger';

export function postgresLedger(knex: Knex, table?: string): Ledger & { checkpoints: CheckpointStore } {
  const name = table ?? DEFAULT_LEDGER_TABLE;
  const legacy = table ?? LEGACY_LEDGER_TABLE;
  return sqlLedger({
    executor: knexExecutor(knex),
    table: name,
    option: 'ledgerTable',
    // the name only feeds the lock key's hash; sqlLedger refuses a table name that is not an identifier
    lock: advisoryLock(knex, `tidemark:${name}`),
    legacy: { table: legacy, checkpoints: `${legacy}_checkpoints`, shape: 'columns' },
  });
}
