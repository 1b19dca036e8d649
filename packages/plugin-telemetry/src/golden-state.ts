// A target's observable state as plain data (the ledger excluded), for golden fixtures and law checks: the
// files (config.json, logs/*.csv) and every table's rows without volatile columns (timestamps of import).
import type { Knex } from 'knex';
import { tableExists } from './db-state.js';
import { CREATION_ORDER, TABLES } from './schema.js';

const VOLATILE: Record<string, readonly string[]> = {
  [TABLES.configProfiles]: ['created_at', 'source_path'],
  [TABLES.configAppliedEvents]: ['applied_at'],
  [TABLES.ingestedFiles]: ['ingested_at'],
};

const ORDER: Record<string, string[]> = {
  [TABLES.runSamples]: ['run_id', 'line_no'],
  [TABLES.rejectedRows]: ['file', 'line_no'],
};

export type TableRows = Record<string, Record<string, unknown>[]>;

export async function readTables(knex: Knex): Promise<TableRows> {
  const out: TableRows = {};
  for (const table of CREATION_ORDER) {
    if (!(await tableExists(knex, table))) continue;
    const rows = await knex(table).orderBy(ORDER[table] ?? ['id']).select<Record<string, unknown>[]>('*');
    out[table] = rows.map((row) => {
      const clean: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(row)) {
        if (VOLATILE[table]?.includes(k)) continue;
        clean[k] = v instanceof Date ? v.toISOString() : typeof v === 'bigint' ? Number(v) : v;
      }
      if (table === TABLES.runSamples || table === TABLES.rejectedRows || table === TABLES.loggerEvents) delete clean.id;
      return clean;
    });
  }
  return out;
}
