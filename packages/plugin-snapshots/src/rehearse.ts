// Rehearsal: the plan applied inside one transaction that is rolled back. A second DataSource on the same
// database (on sql.js, an in-memory copy of it) gets one transaction pinned to it, so every step, validator,
// ledger entry and cursor writes through it; the diff counts rows inserted, updated and deleted per table
// (PostgreSQL: the transaction's own statistics; SQLite: rows by rowid before and after) and runs the
// validators on the rehearsed state. Disposing rolls everything back; the lease row is the only thing the
// rehearsal writes outside (a lease must be visible to other runners at once).
import { DataSource, type QueryRunner } from 'typeorm';
import type { ChangeSummary, Plugin, RehearsalSession } from '@tidemark/core';
import { rehearsalDiff, type TableRowCounts } from '@tidemark/sql';
import { dialectOf } from './dialect.js';
import { pinTransaction, unpinTransaction } from './transaction.js';

/** DataSources made for a rehearsal: the backup guard leaves them alone. */
const rehearsals = new WeakSet<DataSource>();

export function isRehearsal(ds: DataSource): boolean {
  return rehearsals.has(ds);
}

async function openCopy(ds: DataSource): Promise<DataSource> {
  // Never let the copy's initialize() change anything by itself.
  const safe = { synchronize: false, migrationsRun: false, dropSchema: false, logging: false } as const;
  if (ds.options.type === 'sqljs') {
    const bytes = (ds.driver as unknown as { export(): Uint8Array }).export();
    return new DataSource({ ...ds.options, ...safe, database: bytes, autoSave: false }).initialize();
  }
  if (ds.options.type === 'postgres') {
    // Two connections: the pinned transaction's, and one for the lease.
    return new DataSource({
      ...ds.options,
      ...safe,
      extra: { ...(ds.options.extra as object | undefined), max: 2 },
    }).initialize();
  }
  return new DataSource({ ...ds.options, ...safe } as typeof ds.options).initialize();
}

async function tables(runner: QueryRunner, postgres: boolean): Promise<string[]> {
  const rows = (await runner.query(
    postgres
      ? `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1`
      : `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY 1`,
  )) as { name: string }[];
  return rows.map((r) => r.name);
}

type Row = Record<string, unknown>;

async function sqliteRows(runner: QueryRunner, names: string[]): Promise<Map<string, Map<number, Row>>> {
  const all = new Map<string, Map<number, Row>>();
  for (const name of names) {
    const rows = (await runner.query(`SELECT rowid AS tm_rowid, * FROM "${name}"`)) as Row[];
    all.set(name, new Map(rows.map(({ tm_rowid, ...rest }) => [Number(tm_rowid), rest])));
  }
  return all;
}

/** A column added with NULLs (SQLite rebuilds the table for it) does not change a row. */
function sameRow(a: Row, b: Row): boolean {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].every(
    (k) => JSON.stringify(a[k] ?? null) === JSON.stringify(b[k] ?? null),
  );
}

export async function openRehearsal(
  ds: DataSource,
  plugin: () => Plugin<DataSource>,
): Promise<RehearsalSession<DataSource>> {
  const postgres = dialectOf(ds) === 'postgres';
  const copy = await openCopy(ds);
  rehearsals.add(copy);
  const runner = copy.createQueryRunner();
  // SQLite rebuilds a table to alter it; TypeORM's own runner switches foreign keys off around that too.
  if (!postgres) await runner.query('PRAGMA foreign_keys = OFF');
  await runner.startTransaction();
  pinTransaction(copy, runner);
  const before = await tables(runner, postgres);
  const rowsBefore = postgres ? null : await sqliteRows(runner, before);

  async function counts(after: string[]): Promise<Map<string, TableRowCounts>> {
    const out = new Map<string, TableRowCounts>();
    if (postgres) {
      const rows = (await runner.query(
        `SELECT relname AS name, n_tup_ins AS i, n_tup_upd AS u, n_tup_del AS d FROM pg_stat_xact_user_tables WHERE schemaname = current_schema()`,
      )) as { name: string; i: string; u: string; d: string }[];
      for (const r of rows) out.set(r.name, { inserted: Number(r.i), updated: Number(r.u), deleted: Number(r.d) });
      return out;
    }
    const rowsAfter = await sqliteRows(runner, after);
    for (const name of new Set([...before, ...after])) {
      const a = rowsBefore!.get(name) ?? new Map<number, Row>();
      const b = rowsAfter.get(name) ?? new Map<number, Row>();
      const c = { inserted: 0, updated: 0, deleted: 0 };
      for (const [id, row] of b) {
        if (!a.has(id)) c.inserted += 1;
        else if (!sameRow(a.get(id)!, row)) c.updated += 1;
      }
      for (const id of a.keys()) if (!b.has(id)) c.deleted += 1;
      out.set(name, c);
    }
    return out;
  }

  return {
    target: copy,
    async diff(): Promise<ChangeSummary> {
      const after = await tables(runner, postgres);
      return rehearsalDiff({ before, after, perTable: await counts(after), plugin: plugin(), target: copy });
    },
    async dispose() {
      unpinTransaction(copy);
      try {
        if (runner.isTransactionActive) await runner.rollbackTransaction();
      } finally {
        await runner.release();
        await copy.destroy();
      }
    },
  };
}
