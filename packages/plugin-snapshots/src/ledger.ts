// The ledger lives in the target database, on @tidemark/sql's one ledger schema. Entries and checkpoints are
// written through the transaction open in the call chain (a batch or a whole run), so a batch's cursor
// commits with the batch's rows and a rolled-back run leaves no "applied" entry behind.
import type { DataSource } from 'typeorm';
import type { Ledger } from '@tidemark/core';
import { sqlLedger, typeormExecutor } from '@tidemark/sql';
import { dialectOf } from './dialect.js';
import { ledgerTables } from './ledger-tables.js';
import { rowLock } from './lock.js';
import { currentRunner } from './transaction.js';

export interface TypeormLedgerOptions {
  /**
   * Table name prefix: `<prefix>_ledger`, `<prefix>_checkpoints`, `<prefix>_lock`. Default:
   * `tidemark_snapshots_ledger`, `..._checkpoints`, `..._lock`.
   */
  prefix?: string;
  clock?: () => number;
}

export function typeormLedger(ds: DataSource, options: TypeormLedgerOptions = {}): Ledger {
  const dialect = dialectOf(ds);
  const tables = ledgerTables(options.prefix);
  return sqlLedger({
    executor: typeormExecutor(ds, { dialect, runner: () => currentRunner(ds) }),
    table: tables.ledger,
    checkpointsTable: tables.checkpoints,
    lockTable: tables.lock,
    option: 'ledgerPrefix',
    lock: rowLock(ds, tables, options.clock),
    legacy: { table: tables.legacy.ledger, checkpoints: tables.legacy.checkpoints, shape: 'entry' },
  });
}
