// Every table of the target's schema as plain rows: the plugin's through its golden reader (import
// timestamps and serial ids of bulk tables left out), any other table whole, ordered by all its columns.
// The ledger's tables (the ledger table and names starting with it) are bookkeeping, not state.
import type { Knex } from 'knex';
import { readTables, type TableRows } from '../golden-state.js';
import { CREATION_ORDER } from '../schema.js';

export interface AppTablesOptions {
  ledgerTable: string;
  exclude?: readonly string[];
}

const plain = (v: unknown) =>
  v instanceof Date
    ? v.toISOString()
    : typeof v === 'bigint'
      ? v.toString()
      : Buffer.isBuffer(v)
        ? { base64: v.toString('base64') }
        : v;

export async function readAppTables(knex: Knex, options: AppTablesOptions): Promise<TableRows> {
  const out = JSON.parse(JSON.stringify(await readTables(knex))) as TableRows;
  const own = new Set<string>(CREATION_ORDER);
  const { rows } = await knex.raw<{ rows: { t: string }[] }>(
    `SELECT c.relname AS t FROM pg_class c WHERE c.relkind IN ('r', 'p') AND c.relnamespace = current_schema()::regnamespace ORDER BY 1`,
  );
  for (const { t } of rows) {
    if (
      own.has(t) ||
      t === options.ledgerTable ||
      t.startsWith(`${options.ledgerTable}_`) ||
      (options.exclude ?? []).includes(t)
    )
      continue;
    const columns = (
      await knex.raw<{ rows: { c: string }[] }>(
        `SELECT attname AS c FROM pg_attribute WHERE attrelid = ?::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
        [t],
      )
    ).rows.map((r) => r.c);
    const data = await knex(t).select('*').orderBy(columns);
    out[t] = JSON.parse(
      JSON.stringify(
        data.map((r: Record<string, unknown>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, plain(v)]))),
      ),
    );
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
