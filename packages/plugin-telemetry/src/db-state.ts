// Read-only questions about the database that traits, validators and reports share.
import type { Knex } from 'knex';
import { TABLES } from './schema.js';

export async function tableExists(knex: Knex, table: string): Promise<boolean> {
  const res = await knex.raw<{ rows: { t: string | null }[] }>('SELECT to_regclass(?)::text AS t', [table]);
  return res.rows[0]?.t != null;
}

/** CSV files the TelemetryWriter mirrors live: ingesting them as well would duplicate their samples. */
export async function dualWriteFiles(knex: Knex): Promise<Set<string>> {
  if (!(await tableExists(knex, TABLES.runs))) return new Set();
  const rows = await knex(TABLES.runs)
    .where({ source: 'dual-write' })
    .whereNotNull('source_file')
    .select<{ source_file: string }[]>('source_file');
  return new Set(rows.map((r) => r.source_file));
}
