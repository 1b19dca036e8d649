// Read-only questions about the schema, answered the same way on both dialects. PostgreSQL is asked through
// pg_catalog, not information_schema: the plan asks these a dozen times, and information_schema's views
// (privilege checks, the constraint-column join) took 5-14 ms a question on a loaded machine, against
// well under 1 ms from the catalog.
import type { DataSource } from 'typeorm';
import { dialectOf } from './dialect.js';
import { sql } from './transaction.js';

export async function hasTable(ds: DataSource, table: string): Promise<boolean> {
  const rows =
    dialectOf(ds) === 'postgres'
      ? await sql(
          ds,
          `SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = current_schema() AND c.relname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f')`,
          [table],
        )
      : await sql(ds, `SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`, [table]);
  return rows.length > 0;
}

export async function hasColumn(ds: DataSource, table: string, column: string): Promise<boolean> {
  const rows =
    dialectOf(ds) === 'postgres'
      ? await sql(
          ds,
          `SELECT 1 FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = current_schema() AND c.relname = $1 AND a.attname = $2 AND a.attnum > 0 AND NOT a.attisdropped`,
          [table, column],
        )
      : await sql(ds, `SELECT 1 FROM pragma_table_info(?) WHERE name = ?`, [table, column]);
  return rows.length > 0;
}

export async function hasForeignKey(ds: DataSource, table: string, column: string): Promise<boolean> {
  const rows =
    dialectOf(ds) === 'postgres'
      ? await sql(
          ds,
          `SELECT 1 FROM pg_catalog.pg_constraint con JOIN pg_catalog.pg_class c ON c.oid = con.conrelid
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY (con.conkey)
            WHERE con.contype = 'f' AND n.nspname = current_schema() AND c.relname = $1 AND a.attname = $2`,
          [table, column],
        )
      : await sql(ds, `SELECT 1 FROM pragma_foreign_key_list(?) WHERE "from" = ?`, [table, column]);
  return rows.length > 0;
}

export interface SchemaShape {
  productionRuns: boolean;
  snapshotsTable: boolean;
  runLink: boolean;
  /** Both foreign keys between runs and snapshots exist. */
  foreignKeys: boolean;
}

export async function schemaShape(ds: DataSource): Promise<SchemaShape> {
  const productionRuns = await hasTable(ds, 'production_runs');
  const snapshotsTable = await hasTable(ds, 'recipe_snapshots');
  const runLink = productionRuns && (await hasColumn(ds, 'production_runs', 'recipe_snapshot_id'));
  const foreignKeys =
    snapshotsTable &&
    runLink &&
    (await hasForeignKey(ds, 'recipe_snapshots', 'production_run_id')) &&
    (await hasForeignKey(ds, 'production_runs', 'recipe_snapshot_id'));
  return { productionRuns, snapshotsTable, runLink, foreignKeys };
}

/** The app's own tables the backfill reads; the plugin never creates them (the app's schema does). */
export const APP_TABLES = ['recipes', 'ingredients', 'recipe_ingredients', 'production_runs'] as const;

/** The app tables this database lacks, in APP_TABLES order. */
export async function missingAppTables(ds: DataSource): Promise<string[]> {
  const missing: string[] = [];
  for (const table of APP_TABLES) if (!(await hasTable(ds, table))) missing.push(table);
  return missing;
}

/** One line naming what is missing, for the preflight and the stats. */
export function missingTablesMessage(missing: readonly string[]): string {
  return `the recipe app's table(s) ${missing.join(', ')} do not exist: create the app's schema first (its own migrations), then run the backfill`;
}
