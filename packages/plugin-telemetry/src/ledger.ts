// The ledger lives in the database it describes: one row per migration id, plus checkpoints. Tables are
// created on first write (not on read), so a run stopped by a pre-check leaves the database untouched.
import type { CheckpointStore, Ledger, LedgerEntry, LedgerOutcome, SnapshotRef } from '@tidemark/core';
import type { Knex } from 'knex';
import { tableExists } from './db-state.js';
import { advisoryLock } from './lock.js';

interface Row {
  id: string;
  checksum: string;
  outcome: LedgerOutcome;
  at: Date | string;
  duration_ms: number;
  by: string;
  run_id: string;
  note: string | null;
  snapshot: SnapshotRef | null;
  /** Absent on a table created before the column existed and not written since. */
  data?: Record<string, unknown> | string | null;
}

export function postgresLedger(knex: Knex, table = 'tidemark_ledger'): Ledger & { checkpoints: CheckpointStore } {
  const checkpoints = `${table}_checkpoints`;
  let ready = false;
  const ensure = async () => {
    if (ready) return;
    await knex.raw(`CREATE TABLE IF NOT EXISTS ${table} (
      id text PRIMARY KEY, checksum text NOT NULL, outcome text NOT NULL, at timestamptz NOT NULL,
      duration_ms integer NOT NULL, by text NOT NULL, run_id text NOT NULL, note text, snapshot jsonb, seq bigserial, data json)`);
    // A ledger created before steps could record data gets the column on its first write; looked up first,
    // since even a no-op ALTER takes an exclusive lock that would stall replicas reading the ledger at start-up.
    // It is `json`, not `jsonb`: recorded data is any JSON, and jsonb refuses a \u0000 in a string.
    const column = await knex.raw<{ rows: unknown[] }>(`SELECT 1 FROM pg_attribute WHERE attrelid = ?::regclass AND attname = 'data' AND NOT attisdropped`, [table]);
    if (column.rows.length === 0) await knex.raw(`ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS data json`);
    await knex.raw(`CREATE TABLE IF NOT EXISTS ${checkpoints} (migration_id text PRIMARY KEY, data jsonb NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())`);
    ready = true;
  };
  return {
    async read() {
      if (!(await tableExists(knex, table))) return [];
      const rows = await knex(table).orderBy('seq').select<Row[]>('*');
      return rows.map((r): LedgerEntry => ({
        id: r.id,
        checksum: r.checksum,
        outcome: r.outcome,
        at: new Date(r.at).toISOString(),
        durationMs: r.duration_ms,
        by: r.by,
        runId: r.run_id,
        ...(r.note === null ? {} : { note: r.note }),
        ...(r.snapshot === null ? {} : { snapshot: r.snapshot }),
        ...(r.data === null || r.data === undefined ? {} : { data: typeof r.data === 'string' ? (JSON.parse(r.data) as Record<string, unknown>) : r.data }),
      }));
    },
    async record(entry) {
      await ensure();
      await knex.raw(
        `INSERT INTO ${table} (id, checksum, outcome, at, duration_ms, by, run_id, note, snapshot, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?::json)
         ON CONFLICT (id) DO UPDATE SET checksum = EXCLUDED.checksum, outcome = EXCLUDED.outcome, at = EXCLUDED.at, duration_ms = EXCLUDED.duration_ms,
           by = EXCLUDED.by, run_id = EXCLUDED.run_id, note = EXCLUDED.note, snapshot = EXCLUDED.snapshot, data = EXCLUDED.data,
           seq = nextval(pg_get_serial_sequence('${table}', 'seq'))`,
        [
          entry.id,
          entry.checksum,
          entry.outcome,
          entry.at,
          entry.durationMs,
          entry.by,
          entry.runId,
          entry.note ?? null,
          entry.snapshot ? JSON.stringify(entry.snapshot) : null,
          entry.data === undefined ? null : JSON.stringify(entry.data),
        ],
      );
    },
    async remove(id) {
      if (!(await tableExists(knex, table))) return;
      await knex(table).where({ id }).delete();
    },
    lock: advisoryLock(knex, `tidemark:${table}`),
    checkpoints: {
      async load(id) {
        if (!(await tableExists(knex, checkpoints))) return null;
        const row = await knex(checkpoints).where({ migration_id: id }).first<{ data: unknown } | undefined>('data');
        return row ? row.data : null;
      },
      async save(id, data) {
        await ensure();
        await knex.raw(`INSERT INTO ${checkpoints} (migration_id, data) VALUES (?, ?::jsonb) ON CONFLICT (migration_id) DO UPDATE SET data = EXCLUDED.data, updated_at = now()`, [id, JSON.stringify(data)]);
      },
      async clear(id) {
        if (!(await tableExists(knex, checkpoints))) return;
        await knex(checkpoints).where({ migration_id: id }).delete();
      },
    },
  };
}
