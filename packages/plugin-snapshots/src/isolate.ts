// Per-run error isolation: a batch the database refuses is split in halves (each its own transaction) until
// the runs that fail are alone; only errors about the data are split, never a lost connection or a full
// disk, which would fail every half the same way.
import type { DataSource } from 'typeorm';
import type { RunWindow } from './cursor.js';
import type { Dialect } from './dialect.js';
import { sql } from './transaction.js';

/** SQLSTATE classes that say nothing about one row: connection, resources, operator, system, transaction rollback. */
const PG_SYSTEMIC = /^(08|40|53|57|58|XX)/;
const SQLITE_SYSTEMIC = /^SQLITE_(BUSY|LOCKED|FULL|IOERR|CORRUPT|NOMEM|CANTOPEN|READONLY|INTERRUPT)/;
const NODE_SYSTEMIC = /^(ECONN|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENOTFOUND)/;

/** True when a failed batch may hold a few bad runs (splitting it can find them). */
export function isolable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (PG_SYSTEMIC.test(code) || SQLITE_SYSTEMIC.test(code) || NODE_SYSTEMIC.test(code)))
    return false;
  return !/connection (terminated|refused|reset|closed)|Connection terminated|database is locked|pool is draining|timeout exceeded/i.test(
    error.message,
  );
}

/** The ids of the `(lo, hi]` runs at the given offsets (0-based, in id order). */
async function runIdAt(ds: DataSource, dialect: Dialect, window: RunWindow, offset: number): Promise<number | null> {
  const [lo, hi, off] = dialect === 'postgres' ? ['$1', '$2', '$3'] : ['?1', '?2', '?3'];
  const [row] = await sql<{ id: unknown }>(
    ds,
    `SELECT id FROM production_runs WHERE id > ${lo} AND id <= ${hi} ORDER BY id LIMIT 1 OFFSET ${off}`,
    [window.lo, window.hi, offset],
  );
  return row ? Number(row.id) : null;
}

export async function countIn(ds: DataSource, dialect: Dialect, window: RunWindow): Promise<number> {
  const [lo, hi] = dialect === 'postgres' ? ['$1', '$2'] : ['?1', '?2'];
  return Number(
    (
      await sql<{ n: unknown }>(ds, `SELECT COUNT(*) AS n FROM production_runs WHERE id > ${lo} AND id <= ${hi}`, [
        window.lo,
        window.hi,
      ])
    )[0]?.n ?? 0,
  );
}

export type Split =
  { run: number } | { halves: [RunWindow & { n: number }, RunWindow & { n: number }] } | { empty: true };

/** A window with one run names it; a bigger one is cut after its first half of runs. */
export async function split(ds: DataSource, dialect: Dialect, window: RunWindow): Promise<Split> {
  const n = await countIn(ds, dialect, window);
  if (n === 0) return { empty: true };
  if (n === 1) return { run: (await runIdAt(ds, dialect, window, 0))! };
  const half = Math.floor(n / 2);
  const mid = (await runIdAt(ds, dialect, window, half - 1))!;
  return {
    halves: [
      { lo: window.lo, hi: mid, n: half },
      { lo: mid, hi: window.hi, n: n - half },
    ],
  };
}
