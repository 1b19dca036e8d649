// A first load into an empty run_samples inside the step's transaction: the primary key, the (run_id,
// line_no) index and the foreign key are dropped before the COPY and built again after it — one sorted
// index build instead of a million index insertions, and the foreign key validated once by one join instead
// of a trigger per row. The DDL is part of the step's transaction, so a failure or crash anywhere leaves the
// table exactly as it was; the table ends with the same constraints. It holds an exclusive lock on
// run_samples until the step commits (a first load; follow() waits).
import type { Conn } from './connection.js';

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Drops the table's keys and indexes when it is empty; returns what rebuilds them, or null (left alone). */
export async function deferConstraints(conn: Conn, table: string): Promise<(() => Promise<void>) | null> {
  if (!conn.nested || conn.kind !== 'pg') return null;
  const state = await conn.query<{ empty: boolean; referenced: boolean }>(
    `SELECT NOT EXISTS (SELECT 1 FROM ${table}) AS empty, EXISTS (SELECT 1 FROM pg_constraint WHERE confrelid = $1::regclass) AS referenced`,
    [table],
  );
  if (!state.rows[0]!.empty || state.rows[0]!.referenced) return null;
  const constraints = await conn.query<{ name: string; def: string; type: string }>(
    `SELECT conname AS name, pg_get_constraintdef(oid) AS def, contype AS type FROM pg_constraint WHERE conrelid = $1::regclass AND contype IN ('p', 'u', 'f') ORDER BY conname`,
    [table],
  );
  const indexes = await conn.query<{ name: string; def: string }>(
    `SELECT i.relname AS name, pg_get_indexdef(i.oid) AS def FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
      WHERE x.indrelid = $1::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid) ORDER BY i.relname`,
    [table],
  );
  const fks = constraints.rows.filter((c) => c.type === 'f');
  const keys = constraints.rows.filter((c) => c.type !== 'f');
  for (const c of fks) await conn.query(`ALTER TABLE ${table} DROP CONSTRAINT ${quote(c.name)}`);
  for (const i of indexes.rows) await conn.query(`DROP INDEX ${quote(i.name)}`);
  for (const c of keys) await conn.query(`ALTER TABLE ${table} DROP CONSTRAINT ${quote(c.name)}`);
  return async () => {
    await conn.query(`SET LOCAL maintenance_work_mem = '256MB'`);
    for (const c of keys) await conn.query(`ALTER TABLE ${table} ADD CONSTRAINT ${quote(c.name)} ${c.def}`);
    for (const i of indexes.rows) await conn.query(i.def);
    for (const c of fks) await conn.query(`ALTER TABLE ${table} ADD CONSTRAINT ${quote(c.name)} ${c.def}`);
  };
}
