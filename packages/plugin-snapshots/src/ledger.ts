// The ledger lives in the target database. Entries and checkpoints are written through the transaction
// open in the call chain (a batch or a whole run), so a batch's cursor commits with the batch's rows and a
// rolled-back run leaves no "applied" entry behind.
import type { DataSource } from 'typeorm';
import type { Ledger, LedgerEntry } from '@tidemark/core';
import { dialectOf, placeholder } from './dialect.js';
import { ledgerTables } from './ledger-tables.js';
import { rowLock } from './lock.js';
import { sql } from './transaction.js';

export interface TypeormLedgerOptions {
  /** Table name prefix: `<prefix>_ledger`, `<prefix>_checkpoints`, `<prefix>_lock`. Default "tidemark". */
  prefix?: string;
  clock?: () => number;
}

export function typeormLedger(ds: DataSource, options: TypeormLedgerOptions = {}): Ledger {
  const dialect = dialectOf(ds);
  const tables = ledgerTables(ds, dialect, options.prefix);
  const p = (n: number) => placeholder(dialect, n);
  const q = async <R = any>(query: string, params: unknown[] = []) => {
    await tables.ensure();
    return sql<R>(ds, query, params);
  };
  return {
    async read() {
      const rows = await q<{ entry: string }>(`SELECT entry FROM ${tables.ledger} ORDER BY seq`);
      return rows.map((r) => JSON.parse(r.entry) as LedgerEntry);
    },
    async record(entry: LedgerEntry) {
      await q(
        `INSERT INTO ${tables.ledger} (id, seq, entry) VALUES (${p(1)}, (SELECT COALESCE(MAX(seq), 0) + 1 FROM ${tables.ledger}), ${p(2)})
         ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, entry = excluded.entry`,
        [entry.id, JSON.stringify(entry)],
      );
    },
    async remove(id: string) {
      await q(`DELETE FROM ${tables.ledger} WHERE id = ${p(1)}`, [id]);
    },
    lock: rowLock(ds, tables, dialect, options.clock),
    checkpoints: {
      async load(migrationId: string) {
        const rows = await q<{ data: string }>(`SELECT data FROM ${tables.checkpoints} WHERE migration_id = ${p(1)}`, [migrationId]);
        return rows[0] ? (JSON.parse(rows[0].data) as unknown) : null;
      },
      async save(migrationId: string, data: unknown) {
        await q(
          `INSERT INTO ${tables.checkpoints} (migration_id, data) VALUES (${p(1)}, ${p(2)}) ON CONFLICT (migration_id) DO UPDATE SET data = excluded.data`,
          [migrationId, JSON.stringify(data)],
        );
      },
      async clear(migrationId: string) {
        await q(`DELETE FROM ${tables.checkpoints} WHERE migration_id = ${p(1)}`, [migrationId]);
      },
    },
  };
}
