// The ledger tables plugin-telemetry 0.1 wrote (`tidemark_ledger` with a column per field, with or without
// the later `data` column, and `tidemark_ledger_checkpoints`) are read as they are and upgraded in place on
// the first write: renamed to `tidemark_telemetry_ledger` (so snapshots and telemetry can share a database)
// and given the new columns, every old row and checkpoint kept.
import type { LedgerEntry } from '@tidemark/core';
import { describe, expect, test } from 'vitest';
import { postgresLedger } from './ledger.js';
import { telemetryPlugin } from './plugin.js';
import { createTestDb } from './test/pg.js';

// The DDL of plugin-telemetry 0.1's ledger, as it created it.
const V01_LEDGER = (table: string, withData: boolean) => `CREATE TABLE IF NOT EXISTS ${table} (
  id text PRIMARY KEY, checksum text NOT NULL, outcome text NOT NULL, at timestamptz NOT NULL,
  duration_ms integer NOT NULL, by text NOT NULL, run_id text NOT NULL, note text, snapshot jsonb, seq bigserial${withData ? ', data json' : ''})`;
const V01_CHECKPOINTS = (table: string) =>
  `CREATE TABLE IF NOT EXISTS ${table}_checkpoints (migration_id text PRIMARY KEY, data jsonb NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())`;

const old: LedgerEntry = {
  id: '001_a',
  checksum: 'c1',
  outcome: 'applied',
  at: '2026-01-02T03:04:05.000Z',
  durationMs: 7,
  by: 'ann@h:1',
  runId: 'r0',
};
const oldWithData: LedgerEntry = {
  ...old,
  id: '002_b',
  snapshot: { guard: 'backup', ref: 'b.tgz' },
  data: { backupId: 'b1' },
};
const next: LedgerEntry = {
  ...old,
  id: '003_c',
  runId: 'r1',
  versionBefore: null,
  data: { backupId: 'b2', nul: 'a\u0000b' },
};

describe.each([
  ['0.1 with the data column', true],
  ['0.1 before the data column', false],
])('a ledger written by %s', (_name, withData) => {
  test('is read as it is, then upgraded in place on the first write (renamed, new columns, rows and checkpoints kept)', async () => {
    const db = await createTestDb({ min: 0, max: 2 });
    try {
      await db.knex.raw(V01_LEDGER('tidemark_ledger', withData));
      await db.knex.raw(V01_CHECKPOINTS('tidemark_ledger'));
      await db.knex.raw(
        `INSERT INTO tidemark_ledger (id, checksum, outcome, at, duration_ms, by, run_id) VALUES ('001_a', 'c1', 'applied', '2026-01-02T03:04:05Z', 7, 'ann@h:1', 'r0')`,
      );
      if (withData) {
        await db.knex.raw(
          `INSERT INTO tidemark_ledger (id, checksum, outcome, at, duration_ms, by, run_id, snapshot, data) VALUES ('002_b', 'c1', 'applied', '2026-01-02T03:04:05Z', 7, 'ann@h:1', 'r0', '{"guard":"backup","ref":"b.tgz"}', '{"backupId":"b1"}')`,
        );
      }
      await db.knex.raw(
        `INSERT INTO tidemark_ledger_checkpoints (migration_id, data) VALUES ('003_c', '{"file": "a.csv", "line": 12}')`,
      );
      const before = withData ? [old, oldWithData] : [old];

      const ledger = postgresLedger(db.knex);
      expect(await ledger.read()).toEqual(before);
      expect(await ledger.checkpoints.load('003_c')).toEqual({ file: 'a.csv', line: 12 });
      expect(await db.knex.schema.hasTable('tidemark_telemetry_ledger'), 'reading changes nothing').toBe(false);

      await ledger.record(next);
      expect(await postgresLedger(db.connect()).read()).toEqual([...before, next]);
      expect(await db.knex.schema.hasTable('tidemark_ledger'), 'the old table became the new one').toBe(false);
      expect(await db.knex.schema.hasTable('tidemark_telemetry_ledger')).toBe(true);
      expect(await postgresLedger(db.connect()).checkpoints.load('003_c')).toEqual({ file: 'a.csv', line: 12 });
      await ledger.checkpoints.save('003_c', { file: 'b.csv', line: 1 });
      expect(await ledger.checkpoints.load('003_c')).toEqual({ file: 'b.csv', line: 1 });
    } finally {
      await db.drop();
    }
  });
});

test('an explicit ledgerTable of 0.1 is upgraded under its own name', async () => {
  const db = await createTestDb({ min: 0, max: 2 });
  try {
    await db.knex.raw(V01_LEDGER('ops_ledger', true));
    await db.knex.raw(
      `INSERT INTO ops_ledger (id, checksum, outcome, at, duration_ms, by, run_id) VALUES ('001_a', 'c1', 'applied', '2026-01-02T03:04:05Z', 7, 'ann@h:1', 'r0')`,
    );
    const ledger = postgresLedger(db.knex, 'ops_ledger');
    expect(await ledger.read()).toEqual([old]);
    await ledger.record(next);
    expect(await postgresLedger(db.connect(), 'ops_ledger').read()).toEqual([old, next]);
  } finally {
    await db.drop();
  }
});

test("another plugin's 0.1 table under the old shared name is left alone", async () => {
  const db = await createTestDb({ min: 0, max: 2 });
  try {
    // plugin-snapshots 0.1's ledger, also called tidemark_ledger
    await db.knex.raw(
      `CREATE TABLE tidemark_ledger (id varchar(200) PRIMARY KEY, seq bigint NOT NULL, entry text NOT NULL)`,
    );
    await db.knex.raw(`INSERT INTO tidemark_ledger (id, seq, entry) VALUES ('001_create_recipe_snapshots', 1, ?)`, [
      JSON.stringify({ ...old, id: '001_create_recipe_snapshots' }),
    ]);
    const ledger = postgresLedger(db.knex);
    expect(await ledger.read()).toEqual([]);
    await ledger.record(next);
    expect(await ledger.read()).toEqual([next]);
    const theirs = await db.knex('tidemark_ledger').select('id');
    expect(theirs).toEqual([{ id: '001_create_recipe_snapshots' }]);
  } finally {
    await db.drop();
  }
});

test('ledgerTable must be a plain identifier; the error names the option', async () => {
  const db = await createTestDb({ min: 0, max: 1 });
  try {
    const plugin = telemetryPlugin({ ledgerTable: 'x; DROP TABLE runs' });
    expect(() =>
      plugin.ledger({ knex: db.knex, logsDir: '/nonexistent', configPath: '/nonexistent', backupDir: '/nonexistent' }),
    ).toThrow(/option "ledgerTable" must be a table name/);
  } finally {
    await db.drop();
  }
});
