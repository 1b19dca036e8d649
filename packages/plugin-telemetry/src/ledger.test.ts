// A ledger table created before steps could record data (no `data` column) keeps working: it reads as
// before, and its first write adds the column.
import type { LedgerEntry } from '@tidemark/core';
import { expect, test } from 'vitest';
import { postgresLedger } from './ledger.js';
import { createTestDb } from './test/pg.js';

test('a ledger table without the data column reads as before and gets the column on its first write', async () => {
  const db = await createTestDb({ min: 0, max: 2 });
  try {
    await db.knex.raw(`CREATE TABLE tidemark_ledger (
      id text PRIMARY KEY, checksum text NOT NULL, outcome text NOT NULL, at timestamptz NOT NULL,
      duration_ms integer NOT NULL, by text NOT NULL, run_id text NOT NULL, note text, snapshot jsonb, seq bigserial)`);
    await db.knex.raw(`INSERT INTO tidemark_ledger (id, checksum, outcome, at, duration_ms, by, run_id) VALUES ('001_a', 'c1', 'applied', '2026-01-02T03:04:05Z', 7, 'ann@h:1', 'r0')`);
    const old: LedgerEntry = { id: '001_a', checksum: 'c1', outcome: 'applied', at: '2026-01-02T03:04:05.000Z', durationMs: 7, by: 'ann@h:1', runId: 'r0' };
    const ledger = postgresLedger(db.knex);
    expect(await ledger.read()).toEqual([old]);

    const next: LedgerEntry = { ...old, id: '002_b', runId: 'r1', data: { backupId: 'b1', nul: 'a\u0000b' } };
    await ledger.record(next);
    expect(await postgresLedger(db.connect()).read()).toEqual([old, next]);
    const column = await db.knex.raw<{ rows: { type: string }[] }>(`SELECT format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid = 'tidemark_ledger'::regclass AND attname = 'data'`);
    expect(column.rows).toEqual([{ type: 'json' }]);
  } finally {
    await db.drop();
  }
});
