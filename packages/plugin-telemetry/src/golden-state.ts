// A target's observable state as plain data (the ledger excluded), for golden fixtures and law checks: the
// files (config.json, logs/*.csv) and every table's rows without volatile columns (timestamps of import).
import type { Knex } from 'knex';
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
  const present = await knex.raw<{ rows: { t: string }[] }>(
    `SELECT c.relname AS t FROM pg_class c WHERE c.relkind = 'r' AND c.relnamespace = current_schema()::regnamespace AND c.relname = ANY(?)`,
    [[...CREATION_ORDER]],
  );
  const existing = new Set(present.rows.map((r) => r.t));
  const tables = CREATION_ORDER.filter((t) => existing.has(t));
  const all = await Promise.all(
    tables.map((table) =>
      knex(table)
        .orderBy(ORDER[table] ?? ['id'])
        .select<Record<string, unknown>[]>('*'),
    ),
  );
  for (const [i, table] of tables.entries()) {
    const rows = all[i]!;
    out[table] = rows.map((row) => {
      const clean: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(row)) {
        if (VOLATILE[table]?.includes(k)) continue;
        clean[k] = v instanceof Date ? v.toISOString() : typeof v === 'bigint' ? Number(v) : v;
      }
      if (table === TABLES.runSamples || table === TABLES.rejectedRows || table === TABLES.loggerEvents)
        delete clean.id;
      return clean;
    });
  }
  return out;
}
