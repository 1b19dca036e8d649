// The state of an app's own schema as plain, diffable data: every table (the ledger tables excepted, or a
// given include list) with its column types, primary key and rows; one JSON file per table on disk. An
// app's own column shows in a golden `after/` because the columns are read from the database, not known.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sqlError } from './errors.js';
import type { Row, SqlExecutor } from './executor.js';

export interface TableState {
  /** Column name -> its SQL type as the database spells it (`integer`, `character varying(20) NOT NULL`). */
  columns: Record<string, string>;
  primaryKey: string[];
  /** Sorted by primary key (or by the whole row); dates as ISO-8601, binary as `\x` hex. */
  rows: Row[];
}

/** Table name -> its state. */
export type SchemaState = Record<string, TableState>;

export interface CaptureOptions {
  /** Only these tables (default: every table). */
  include?: readonly string[];
  /** Never these (the ledger's own tables are always left out). */
  exclude?: readonly string[];
}

const LEDGER_TABLE = /^tidemark_[a-z0-9_]*ledger(_checkpoints|_lock)?$/;

async function tableNames(ex: SqlExecutor): Promise<string[]> {
  const rows =
    ex.dialect === 'postgres'
      ? await ex.query<{ name: string }>(
          `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`,
        )
      : await ex.query<{ name: string }>(
          `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`,
        );
  return rows.map((r) => r.name).sort();
}

function quote(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

async function columnsOf(
  ex: SqlExecutor,
  table: string,
): Promise<{ columns: Record<string, string>; primaryKey: string[] }> {
  if (ex.dialect === 'postgres') {
    const cols = await ex.query<{ name: string; type: string; notnull: boolean }>(
      `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS notnull
         FROM pg_attribute a WHERE a.attrelid = CAST(? AS regclass) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
      [quote(table)],
    );
    const pk = await ex.query<{ name: string }>(
      `SELECT a.attname AS name FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
        WHERE i.indrelid = CAST(? AS regclass) AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)`,
      [quote(table)],
    );
    return {
      columns: Object.fromEntries(cols.map((c) => [c.name, `${c.type}${c.notnull ? ' NOT NULL' : ''}`])),
      primaryKey: pk.map((p) => p.name),
    };
  }
  const cols = await ex.query<{ name: string; type: string; notnull: number; pk: number }>(
    `SELECT name, type, "notnull", pk FROM pragma_table_info(?) ORDER BY cid`,
    [table],
  );
  return {
    // SQLite spells a type as declared, and re-spells it in capitals when a table is rebuilt: one case.
    columns: Object.fromEntries(
      cols.map((c) => [c.name, `${(c.type || 'blob').toLowerCase()}${Number(c.notnull) ? ' NOT NULL' : ''}`]),
    ),
    primaryKey: cols
      .filter((c) => Number(c.pk) > 0)
      .sort((a, b) => Number(a.pk) - Number(b.pk))
      .map((c) => c.name),
  };
}

function plain(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return `\\x${Buffer.from(value).toString('hex')}`;
  if (typeof value === 'bigint') return value.toString();
  return value;
}

function sortKey(row: Row, key: readonly string[]): string {
  return JSON.stringify(
    key.length > 0
      ? key.map((k) => row[k])
      : Object.keys(row)
          .sort()
          .map((k) => row[k]),
  );
}

/** Every table's columns and rows. */
export async function readSchemaState(ex: SqlExecutor, options: CaptureOptions = {}): Promise<SchemaState> {
  const exclude = new Set(options.exclude ?? []);
  const names = (options.include ? [...options.include] : await tableNames(ex)).filter(
    (n) => !exclude.has(n) && !LEDGER_TABLE.test(n),
  );
  const state: SchemaState = {};
  for (const name of names.sort()) {
    const { columns, primaryKey } = await columnsOf(ex, name);
    if (Object.keys(columns).length === 0)
      throw sqlError('INVALID_DEFINITION', `capture: table "${name}" (from the include list) does not exist`);
    const rows = (await ex.query(`SELECT * FROM ${quote(name)}`)).map((r) =>
      Object.fromEntries(Object.keys(columns).map((c) => [c, plain(r[c])])),
    );
    rows.sort((a, b) =>
      sortKey(a, primaryKey) < sortKey(b, primaryKey) ? -1 : sortKey(a, primaryKey) > sortKey(b, primaryKey) ? 1 : 0,
    );
    state[name] = { columns, primaryKey, rows };
  }
  return state;
}

/** Creates the tables of `state` on an empty database and inserts their rows. */
export async function loadSchemaState(ex: SqlExecutor, state: SchemaState): Promise<void> {
  await ex.transaction(async (tx) => {
    for (const [name, table] of Object.entries(state)) {
      const cols = Object.entries(table.columns).map(([c, type]) => `${quote(c)} ${type}`);
      const pk = table.primaryKey.length > 0 ? [`PRIMARY KEY (${table.primaryKey.map(quote).join(', ')})`] : [];
      await tx.query(`CREATE TABLE ${quote(name)} (${[...cols, ...pk].join(', ')})`);
      const names = Object.keys(table.columns);
      for (const row of table.rows) {
        const values = names.map((c) => {
          const v = row[c];
          return v !== null && typeof v === 'object' ? JSON.stringify(v) : (v ?? null);
        });
        await tx.query(
          `INSERT INTO ${quote(name)} (${names.map(quote).join(', ')}) VALUES (${names.map(() => '?').join(', ')})`,
          values,
        );
      }
    }
  });
}

/** One `<table>.json` per table, keys in a stable order, so a reviewer reads a fixture as a diff. */
export async function writeSchemaState(state: SchemaState, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [name, table] of Object.entries(state)) {
    await writeFile(join(dir, `${name}.json`), `${JSON.stringify(table, null, 2)}\n`);
  }
}

/** Reads what `writeSchemaState` wrote; a malformed file is named in the error. */
export function readSchemaStateSync(dir: string): SchemaState {
  const state: SchemaState = {};
  if (!existsSync(dir)) return state;
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const path = join(dir, file);
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      throw sqlError('INVALID_DEFINITION', `fixture ${path} is not valid JSON`, error);
    }
    const t = parsed as Partial<TableState> | null;
    if (!t || typeof t.columns !== 'object' || !Array.isArray(t.rows) || !Array.isArray(t.primaryKey ?? [])) {
      throw sqlError('INVALID_DEFINITION', `fixture ${path} must hold { columns, primaryKey, rows }`);
    }
    state[file.slice(0, -'.json'.length)] = {
      columns: t.columns as Record<string, string>,
      primaryKey: t.primaryKey ?? [],
      rows: t.rows,
    };
  }
  return state;
}
