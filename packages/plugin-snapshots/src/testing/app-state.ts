// The harness state extended to the whole database: the plugin's five tables as before (same fixture files),
// plus every column an app added to them and every other table, so an app migration's change shows in golden
// `after/`. Left out: the ledger/lock/checkpoint tables (names starting with the ledger prefix), TypeORM's own
// `migrations`/`typeorm_metadata`, SQLite internals. Values are plain JSON: dates as ISO text, binary as base64.
import { createError } from '@tidemark/core';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { RECIPE_FIELDS } from '../backfill-sql.js';
import { dialectOf, type Dialect } from '../dialect.js';
import { readFixture, writeFixture } from '../fixture.js';
import { loadState, readState, type SnapshotsState } from '../state.js';
import { sql } from '../transaction.js';

/** The plugin's tables and the columns the state reader already knows. */
const KNOWN: Record<string, readonly string[]> = {
  recipes: ['id', ...RECIPE_FIELDS],
  ingredients: ['id', 'display_name', 'slug'],
  recipe_ingredients: ['id', 'recipe_id', 'ingredient_id', 'quantity', 'unit', 'notes'],
  production_runs: ['id', 'recipe_id', 'produced_at', 'num_batches', 'notes', 'recipe_snapshot_id'],
  recipe_snapshots: [
    'id',
    'recipe_id',
    'production_run_id',
    'scale_factor',
    'snapshot_date',
    'recipe_data',
    'ingredients_data',
    'is_backfilled',
  ],
};

export type Row = Record<string, unknown>;

/** The plugin's state; `tables` holds every other table of the database (absent when there is none). */
export type AppSnapshotsState = SnapshotsState & { tables?: Record<string, Row[]> };

export interface AppStateOptions {
  /** Prefix of the ledger tables to leave out (the plugin's `ledgerPrefix`). Default "tidemark". */
  ledgerPrefix?: string;
  /** Tables to leave out besides the ledger's. */
  exclude?: readonly string[];
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const quote = (name: string) => {
  if (!IDENT.test(name))
    throw createError(
      'plugin-snapshots',
      `table or column name ${JSON.stringify(name)} is not a plain identifier; leave it out with \`exclude\``,
    );
  return `"${name}"`;
};

async function tableNames(ds: DataSource, dialect: Dialect): Promise<string[]> {
  const rows =
    dialect === 'postgres'
      ? await sql<{ name: string }>(
          ds,
          `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`,
        )
      : await sql<{ name: string }>(
          ds,
          `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`,
        );
  return rows.map((r) => r.name).sort();
}

async function columnNames(ds: DataSource, dialect: Dialect, table: string): Promise<string[]> {
  const rows =
    dialect === 'postgres'
      ? await sql<{ name: string }>(
          ds,
          `SELECT column_name AS name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`,
          [table],
        )
      : await sql<{ name: string }>(ds, `SELECT name FROM pragma_table_info(?) ORDER BY cid`, [table]);
  return rows.map((r) => r.name);
}

function plain(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return { base64: Buffer.from(value).toString('base64') };
  if (typeof value === 'bigint') return value.toString();
  return value;
}

function isOwn(table: string, options: AppStateOptions): boolean {
  const prefix = options.ledgerPrefix ?? 'tidemark';
  return (
    table.startsWith(`${prefix}_`) ||
    table === 'migrations' ||
    table === 'typeorm_metadata' ||
    (options.exclude ?? []).includes(table)
  );
}

export async function readAppState(ds: DataSource, options: AppStateOptions = {}): Promise<AppSnapshotsState> {
  const dialect = dialectOf(ds);
  const state: AppSnapshotsState = await readState(ds);
  const tables: Record<string, Row[]> = {};
  for (const table of await tableNames(ds, dialect)) {
    if (isOwn(table, options)) continue;
    const columns = await columnNames(ds, dialect, table);
    const known = KNOWN[table];
    const extra = known ? columns.filter((c) => !known.includes(c)) : columns;
    if (known && extra.length === 0) continue;
    const order = columns.includes('id') ? 'id' : columns.map(quote).join(', ');
    const rows = await sql<Row>(
      ds,
      `SELECT ${[...(known ? ['id'] : []), ...extra].map(quote).join(', ')} FROM ${quote(table)} ORDER BY ${order === 'id' ? '"id"' : order}`,
    );
    if (!known) {
      tables[table] = rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, plain(v)])));
      continue;
    }
    // An app column on one of the plugin's tables: added to each row of the state, by id.
    const byId = new Map(rows.map((r) => [Number(r.id), r]));
    const list = (state as unknown as Record<string, Row[] | undefined>)[table];
    for (const row of list ?? []) {
      const source = byId.get(Number(row.id));
      for (const c of extra) row[c] = plain(source?.[c] ?? null);
    }
  }
  if (Object.keys(tables).length > 0) state.tables = tables;
  return state;
}

function sqlType(dialect: Dialect, values: unknown[]): string {
  const present = values.filter((v) => v !== null && v !== undefined);
  if (present.length > 0 && present.every((v) => typeof v === 'boolean'))
    return dialect === 'postgres' ? 'boolean' : 'integer';
  if (present.length > 0 && present.every((v) => typeof v === 'number' && Number.isInteger(v)))
    return dialect === 'postgres' ? 'bigint' : 'integer';
  if (present.length > 0 && present.every((v) => typeof v === 'number'))
    return dialect === 'postgres' ? 'double precision' : 'real';
  return 'text';
}

const param = (dialect: Dialect, n: number) => (dialect === 'postgres' ? `$${n}` : '?');
const toDb = (v: unknown) => (v !== null && typeof v === 'object' ? JSON.stringify(v) : v);

/**
 * Loads a state into a fresh database: the plugin's tables through the plugin's loader, then app columns and
 * tables with types inferred from their JSON values (integer, real, boolean, else text).
 */
export async function loadAppState(ds: DataSource, state: AppSnapshotsState): Promise<void> {
  const dialect = dialectOf(ds);
  const base = { ...state } as SnapshotsState & Record<string, unknown>;
  delete base.tables;
  const extras: { table: string; column: string; rows: Row[] }[] = [];
  for (const [table, known] of Object.entries(KNOWN)) {
    const list = base[table] as Row[] | undefined;
    if (!list || list.length === 0) continue;
    const extraCols = [...new Set(list.flatMap((r) => Object.keys(r)))].filter((c) => !known.includes(c));
    for (const column of extraCols) extras.push({ table, column, rows: list });
    if (extraCols.length > 0)
      base[table] = list.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => known.includes(k))));
  }
  await loadState(ds, base);
  for (const { table, column, rows } of extras) {
    await sql(
      ds,
      `ALTER TABLE ${quote(table)} ADD COLUMN ${quote(column)} ${sqlType(
        dialect,
        rows.map((r) => r[column]),
      )}`,
    );
    for (const r of rows)
      await sql(
        ds,
        `UPDATE ${quote(table)} SET ${quote(column)} = ${param(dialect, 1)} WHERE id = ${param(dialect, 2)}`,
        [toDb(r[column]), r.id],
      );
  }
  for (const [table, rows] of Object.entries(state.tables ?? {})) {
    const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
    if (columns.length === 0) continue;
    await sql(
      ds,
      `CREATE TABLE ${quote(table)} (${columns
        .map(
          (c) =>
            `${quote(c)} ${sqlType(
              dialect,
              rows.map((r) => r[c]),
            )}`,
        )
        .join(', ')})`,
    );
    for (const r of rows) {
      await sql(
        ds,
        `INSERT INTO ${quote(table)} (${columns.map(quote).join(', ')}) VALUES (${columns.map((_, i) => param(dialect, i + 1)).join(', ')})`,
        columns.map((c) => toDb(r[c] ?? null)),
      );
    }
  }
}

const PLUGIN_FILES = new Set([
  'schema.json',
  'recipes.json',
  'ingredients.json',
  'recipe_ingredients.json',
  'production_runs.json',
  'recipe_snapshots.json',
]);

/** The plugin's fixture files, plus `tables/<table>.json` for every other table. */
export async function writeAppFixture(state: AppSnapshotsState, dir: string): Promise<void> {
  const { tables, ...base } = state;
  await writeFixture(base, dir);
  if (!tables) return;
  const { mkdir } = await import('node:fs/promises');
  await mkdir(join(dir, 'tables'), { recursive: true });
  for (const [table, rows] of Object.entries(tables))
    await writeFile(join(dir, 'tables', `${table}.json`), `${JSON.stringify(rows, null, 2)}\n`);
}

export async function readAppFixture(dir: string): Promise<AppSnapshotsState> {
  const state: AppSnapshotsState = await readFixture(dir);
  const stray = (await readdir(dir)).filter((f) => f.endsWith('.json') && !PLUGIN_FILES.has(f));
  if (stray.length > 0)
    throw createError(
      'plugin-snapshots',
      `fixture ${dir}: unknown file(s) ${stray.join(', ')} (other tables go in tables/<table>.json)`,
    );
  const folder = join(dir, 'tables');
  if (!existsSync(folder)) return state;
  const tables: Record<string, Row[]> = {};
  for (const f of (await readdir(folder)).filter((n) => n.endsWith('.json')).sort()) {
    try {
      tables[f.slice(0, -5)] = JSON.parse(await readFile(join(folder, f), 'utf8')) as Row[];
    } catch (error) {
      throw createError('plugin-snapshots', `fixture ${join(folder, f)}`, { cause: error });
    }
  }
  if (Object.keys(tables).length > 0) state.tables = tables;
  return state;
}
