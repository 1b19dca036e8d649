// The one ledger table schema, its mapping to core's LedgerEntry, and the in-place upgrade of the tables
// the 0.1 releases wrote (plugin-telemetry: one column per field; plugin-snapshots: the entry as JSON).
import type { LedgerEntry, LedgerOutcome, SnapshotRef } from '@tidemark/core';
import { sqlError } from './errors.js';
import type { Row, SqlDialect, SqlExecutor } from './executor.js';

/** A ledger table written by an earlier release, read as it is and upgraded on the first write. */
export interface LegacyLedger {
  /** Its name (may equal the new one). */
  table: string;
  /** Its checkpoint table, renamed to the new one when that does not exist yet. */
  checkpoints?: string;
  /**
   * 'columns': one column per field (plugin-telemetry 0.1); 'entry': id, seq and the entry as JSON text
   * (plugin-snapshots 0.1).
   */
  shape: 'columns' | 'entry';
}

const timestampType = (dialect: SqlDialect) => (dialect === 'postgres' ? 'timestamptz' : 'text');

/** Columns besides id and seq, with the type an upgrade adds them with (nullable: SQLite cannot add NOT NULL ones). */
const FIELD_COLUMNS = (dialect: SqlDialect): [string, string][] => [
  ['checksum', 'text'],
  ['outcome', 'text'],
  ['at', timestampType(dialect)],
  ['duration_ms', 'bigint'],
  ['by', 'text'],
  ['run_id', 'text'],
  ['note', 'text'],
  ['snapshot', 'text'],
  ['version_before', 'text'],
  ['data', 'text'],
];

export function createLedgerTable(table: string, dialect: SqlDialect): string {
  return `CREATE TABLE IF NOT EXISTS ${table} (id varchar(200) PRIMARY KEY, seq bigint NOT NULL, checksum text NOT NULL, outcome text NOT NULL,
    at ${timestampType(dialect)} NOT NULL, duration_ms bigint NOT NULL, "by" text NOT NULL, run_id text NOT NULL, note text, snapshot text,
    version_before text, data text)`;
}

export function createCheckpointsTable(table: string): string {
  return `CREATE TABLE IF NOT EXISTS ${table} (migration_id varchar(200) PRIMARY KEY, data text NOT NULL)`;
}

export function selectEntries(table: string): string {
  return `SELECT id, checksum, outcome, at, duration_ms, "by", run_id, note, CAST(snapshot AS text) AS snapshot, version_before, CAST(data AS text) AS data
    FROM ${table} ORDER BY seq`;
}

export function upsertEntry(table: string): string {
  // seq through a derived table, so the statement reads the table it writes on every dialect.
  return `INSERT INTO ${table} (id, seq, checksum, outcome, at, duration_ms, "by", run_id, note, snapshot, version_before, data)
    VALUES (?, (SELECT next_seq FROM (SELECT COALESCE(MAX(seq), 0) + 1 AS next_seq FROM ${table}) AS s), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, checksum = excluded.checksum, outcome = excluded.outcome, at = excluded.at,
      duration_ms = excluded.duration_ms, "by" = excluded."by", run_id = excluded.run_id, note = excluded.note, snapshot = excluded.snapshot,
      version_before = excluded.version_before, data = excluded.data`;
}

export function entryParams(entry: LedgerEntry): unknown[] {
  return [
    entry.id,
    entry.checksum,
    entry.outcome,
    entry.at,
    entry.durationMs,
    entry.by,
    entry.runId,
    entry.note ?? null,
    entry.snapshot ? JSON.stringify(entry.snapshot) : null,
    // JSON text: SQL NULL is "absent", 'null' is "no stamp was stored" (core tells the two apart).
    entry.versionBefore === undefined ? null : JSON.stringify(entry.versionBefore),
    entry.data === undefined ? null : JSON.stringify(entry.data),
  ];
}

const json = <V>(value: unknown): V => (typeof value === 'string' ? (JSON.parse(value) as V) : (value as V));

/** A row of the current schema or of plugin-telemetry 0.1's (jsonb / json columns arrive parsed there). */
export function entryFromColumns(r: Row): LedgerEntry {
  const at = r.at instanceof Date ? r.at : new Date(String(r.at));
  return {
    id: String(r.id),
    checksum: String(r.checksum),
    outcome: r.outcome as LedgerOutcome,
    at: at.toISOString(),
    durationMs: Number(r.duration_ms),
    by: String(r.by),
    runId: String(r.run_id),
    ...(r.note === null || r.note === undefined ? {} : { note: String(r.note) }),
    ...(r.snapshot === null || r.snapshot === undefined ? {} : { snapshot: json<SnapshotRef>(r.snapshot) }),
    ...(r.version_before === null || r.version_before === undefined
      ? {}
      : { versionBefore: json<number | null>(r.version_before) }),
    ...(r.data === null || r.data === undefined ? {} : { data: json<Record<string, unknown>>(r.data) }),
  };
}

export function shapeOfColumns(columns: ReadonlySet<string>): 'current' | 'columns' | 'entry' | 'other' | 'none' {
  if (columns.size === 0) return 'none';
  if (columns.has('entry') && columns.has('id')) return 'entry';
  if (!columns.has('checksum') || !columns.has('id') || !columns.has('seq')) return 'other';
  return columns.has('version_before') && columns.has('data') ? 'current' : 'columns';
}

/** The table's column names (empty when it does not exist). */
export async function columnsOf(executor: SqlExecutor, table: string): Promise<Set<string>> {
  const rows =
    executor.dialect === 'postgres'
      ? await executor.query<{ column_name: string }>(
          `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ?`,
          [table],
        )
      : await executor.query<{ column_name: string }>(`SELECT name AS column_name FROM pragma_table_info(?)`, [table]);
  return new Set(rows.map((r) => r.column_name));
}

/** Reads a legacy table in its own shape; rows of another shape are another plugin's ledger: none of ours. */
export function entriesOfLegacy(rows: Row[]): { shape: 'columns' | 'entry' | 'other'; entries: LedgerEntry[] } {
  const first = rows[0];
  if (!first) return { shape: 'columns', entries: [] };
  if ('entry' in first) return { shape: 'entry', entries: rows.map((r) => JSON.parse(String(r.entry)) as LedgerEntry) };
  if ('checksum' in first) return { shape: 'columns', entries: rows.map(entryFromColumns) };
  return { shape: 'other', entries: [] };
}

/**
 * Brings `table` to the current schema in place: a legacy table under another name is renamed to it first,
 * then missing columns are added and (for the JSON-entry shape) filled from the entry, whose column goes.
 * Each step is found again from the table's columns, so an upgrade a crash stopped half-way is finished by
 * the next write; a reader in between still reads every entry (by the legacy shape).
 */
export async function upgradeInPlace(
  executor: SqlExecutor,
  table: string,
  checkpoints: string,
  legacy: LegacyLedger | undefined,
): Promise<void> {
  const dialect = executor.dialect;
  let columns = await columnsOf(executor, table);
  let shape = shapeOfColumns(columns);
  if (shape === 'current') return;
  if (shape === 'other') throw foreign(table);
  if (shape === 'none' && legacy && legacy.table !== table) {
    const old = await columnsOf(executor, legacy.table);
    if (shapeOfColumns(old) === legacy.shape) {
      await executor.query(`ALTER TABLE ${legacy.table} RENAME TO ${table}`);
      columns = old;
      shape = legacy.shape;
    }
  }
  // The checkpoints go with the ledger they belong to (also when a crash stopped an upgrade after the rename).
  if (
    shape !== 'none' &&
    legacy?.checkpoints &&
    legacy.checkpoints !== checkpoints &&
    (await columnsOf(executor, checkpoints)).size === 0 &&
    (await columnsOf(executor, legacy.checkpoints)).size > 0
  ) {
    await executor.query(`ALTER TABLE ${legacy.checkpoints} RENAME TO ${checkpoints}`);
  }
  if (shape === 'none') {
    await executor.query(createLedgerTable(table, dialect));
    return;
  }
  if (shape !== legacy?.shape) throw foreign(table);
  const entries =
    shape === 'entry' ? entriesOfLegacy(await executor.query(`SELECT * FROM ${table} ORDER BY seq`)).entries : [];
  for (const [name, type] of FIELD_COLUMNS(dialect)) {
    if (!columns.has(name)) await executor.query(`ALTER TABLE ${table} ADD COLUMN "${name}" ${type}`);
  }
  if (shape === 'entry') {
    for (const entry of entries) {
      const [id, ...fields] = entryParams(entry);
      await executor.query(
        `UPDATE ${table} SET checksum = ?, outcome = ?, at = ?, duration_ms = ?, "by" = ?, run_id = ?, note = ?, snapshot = ?, version_before = ?, data = ? WHERE id = ?`,
        [...fields, id],
      );
    }
    await executor.query(`ALTER TABLE ${table} DROP COLUMN entry`);
  }
}

function foreign(table: string): Error {
  return sqlError(
    'INVALID_DEFINITION',
    `table "${table}" exists but is not a Tidemark ledger of this kind (other columns); give the ledger another table name`,
  );
}
