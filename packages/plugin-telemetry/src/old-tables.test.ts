// A database plugin-telemetry 0.1 migrated: its ledger (`tidemark_ledger`, a column per field) and its
// ingested_files (identity = sha256 of the whole file, unique; no prefix, copy, conflict or kind columns;
// logger_events without file_id/line_no). The release that reads them must see every file as ingested (no
// second run), report parity, grow a file into its run, and `down` all of it, upgrading the tables in place.
import { createRunner, runPendingMigrations } from '@tidemark/core';
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { describe, expect, it } from 'vitest';
import { parityReport, telemetryPlugin, type TelemetryTarget } from '@tidemark/plugin-telemetry';
import { loggerCsv, loggerRow } from './demo/sample-data.js';
import { useLegacyTarget } from './test/legacy-target.js';

// The columns 0.1 created (its 001_schema, commit 43208b9), in order.
const V01_INGESTED_FILES = [
  'id',
  'path',
  'content_hash',
  'size_bytes',
  'run_id',
  'data_lines',
  'inserted',
  'rejected',
  'blank_lines',
  'null_cells',
  'header',
  'mapping',
  'unmapped_columns',
  'ingested_at',
];
const V01_LOGGER_EVENTS = ['id', 'run_id', 'recorded_at', 'level', 'message', 'data'];
// 0.1's ledger DDL (its ledger.ts) and checkpoints.
const V01_LEDGER = `CREATE TABLE tidemark_ledger (
  id text PRIMARY KEY, checksum text NOT NULL, outcome text NOT NULL, at timestamptz NOT NULL,
  duration_ms integer NOT NULL, by text NOT NULL, run_id text NOT NULL, note text, snapshot jsonb, seq bigserial, data json)`;
const V01_CHECKPOINTS = `CREATE TABLE tidemark_ledger_checkpoints (migration_id text PRIMARY KEY, data jsonb NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())`;

async function columns(knex: Knex, table: string): Promise<string[]> {
  const res = await knex.raw<{ rows: { column_name: string }[] }>(
    `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position`,
    [table],
  );
  return res.rows.map((r) => r.column_name);
}

async function count(knex: Knex, table: string): Promise<number> {
  return Number((await knex(table).count<{ n: string }[]>({ n: '*' }))[0]!.n);
}

/**
 * The tables this release wrote, put back into the shape 0.1 left (same rows: for closed files both releases
 * record the same run, samples, rejects and whole-file sha256), with 0.1's checksums in its ledger.
 */
async function asVersion01(knex: Knex): Promise<void> {
  await knex.raw(
    `ALTER TABLE ingested_files DROP COLUMN lines, DROP COLUMN copy_of, DROP COLUMN conflict, DROP COLUMN kind`,
  );
  await knex.raw(`ALTER TABLE ingested_files DROP CONSTRAINT IF EXISTS ingested_files_path_unique`);
  await knex.raw(`DROP INDEX IF EXISTS ingested_files_content_hash_index`);
  await knex.raw(`ALTER TABLE ingested_files ADD CONSTRAINT ingested_files_content_hash_unique UNIQUE (content_hash)`);
  await knex.raw(`ALTER TABLE logger_events DROP COLUMN file_id, DROP COLUMN line_no`);
  await knex.raw(V01_LEDGER);
  await knex.raw(V01_CHECKPOINTS);
  await knex.raw(
    `INSERT INTO tidemark_ledger (id, checksum, outcome, at, duration_ms, by, run_id, note)
     SELECT id, 'v01-' || left(checksum, 12), outcome, at, duration_ms, by, run_id, note FROM tidemark_telemetry_ledger ORDER BY seq`,
  );
  await knex.raw(`DROP TABLE tidemark_telemetry_ledger, tidemark_telemetry_ledger_checkpoints`);
  expect(await columns(knex, 'ingested_files')).toEqual(V01_INGESTED_FILES);
  expect(await columns(knex, 'logger_events')).toEqual(V01_LOGGER_EVENTS);
}

describe('tables written by plugin-telemetry 0.1', () => {
  const legacy = useLegacyTarget({
    'a.csv': `${loggerCsv(10)}not-a-date,1,2,3,4,5,6,7,8,9,10\r\n`,
    'old/b.csv': loggerCsv(5, Date.UTC(2023, 10, 2, 10)),
  });
  const plugin = telemetryPlugin({ closedAfterMs: 0 });

  /**
   * The target as a process started after the upgrade sees it: its own pool, no per-process state of the old tables.
   */
  const fresh = (): TelemetryTarget => ({
    ...legacy.target,
    knex: knexFactory({
      client: 'pg',
      connection: (legacy.knex.client as { config: Knex.Config }).config.connection,
      pool: { min: 0, max: 4 },
    }),
  });

  it('are taken as they are: nothing pending, parity ok, no second run', async () => {
    await createRunner({ plugin, target: legacy.target }).up();
    const before = {
      runs: await count(legacy.knex, 'runs'),
      samples: await count(legacy.knex, 'run_samples'),
      rejected: await count(legacy.knex, 'rejected_rows'),
    };
    expect(before).toEqual({ runs: 2, samples: 15, rejected: 1 });
    await asVersion01(legacy.knex);

    const target = fresh();
    try {
      expect(await runPendingMigrations({ plugin, target })).toEqual({ outcome: 'up-to-date', applied: [] });
      const plan = await createRunner({ plugin, target }).plan();
      expect(plan.steps).toEqual([]);
      expect(plan.applied).toEqual(['001_schema', '002_config_profiles', '003_ingest_logs']);
      // 0.1's code is not this release's: checksum drift is reported, no file is taken for a legacy shape
      expect(plan.drift.map((d) => d.kind)).toEqual(['checksum', 'checksum', 'checksum']);

      const parity = await parityReport(target);
      expect(parity.ok, JSON.stringify(parity.files, null, 1)).toBe(true);
      expect(parity.files.map((f) => [f.file, f.csvDataLines, f.dbSamples, f.dbRejected, f.gap])).toEqual([
        ['a.csv', 11, 10, 1, 0],
        ['old/b.csv', 5, 5, 0, 0],
      ]);
      expect(await count(target.knex, 'runs')).toBe(before.runs);
    } finally {
      await target.knex.destroy();
    }
  });

  it('are upgraded in place by the first write: a grown file goes into its run, then down removes everything', async () => {
    await createRunner({ plugin, target: legacy.target }).up();
    await asVersion01(legacy.knex);
    const runA = (await legacy.knex('runs').where({ source_file: 'a.csv' }).first<{ id: number }>('id'))!.id;

    const target = fresh();
    try {
      await appendFile(join(target.logsDir, 'a.csv'), `${loggerRow(10)}\r\n${loggerRow(11)}\r\n`);
      const result = await createRunner({ plugin, target }).up({ repairDrift: true });
      expect(result.applied).toEqual(['003_ingest_logs']);
      // the 0.1 rows stay, with this release's columns; one row per path, the grown file still its one run
      const cols = await columns(target.knex, 'ingested_files');
      expect(cols).toEqual(expect.arrayContaining([...V01_INGESTED_FILES, 'lines', 'copy_of', 'conflict', 'kind']));
      expect(await columns(target.knex, 'logger_events')).toEqual(expect.arrayContaining(['file_id', 'line_no']));
      const files = await target
        .knex('ingested_files')
        .orderBy('path')
        .select('path', 'run_id', 'data_lines', 'inserted', 'rejected', 'conflict', 'kind');
      expect(files).toEqual([
        { path: 'a.csv', run_id: runA, data_lines: 13, inserted: 12, rejected: 1, conflict: null, kind: 'samples' },
        expect.objectContaining({ path: 'old/b.csv', data_lines: 5, inserted: 5, rejected: 0, conflict: null }),
      ]);
      expect(await count(target.knex, 'runs')).toBe(2);
      expect(await target.knex('run_samples').where({ run_id: runA }).orderBy('line_no').pluck('line_no')).toEqual([
        2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14,
      ]);
      expect(await target.knex.schema.hasTable('tidemark_ledger'), "the 0.1 ledger became this release's").toBe(false);
      expect((await target.knex('tidemark_telemetry_ledger').pluck('id')).sort()).toEqual([
        '001_schema',
        '002_config_profiles',
        '003_ingest_logs',
      ]);
      expect((await parityReport(target)).ok).toBe(true);

      const down = await createRunner({ plugin, target }).down({ to: null });
      expect(down.reverted).toEqual(['003_ingest_logs', '002_config_profiles', '001_schema']);
      for (const t of ['runs', 'run_samples', 'config_profiles', 'ingested_files', 'rejected_rows', 'logger_events'])
        expect(await target.knex.schema.hasTable(t), t).toBe(false);
      expect(await createRunner({ plugin, target }).status()).toMatchObject({
        entries: [],
        pending: ['001_schema', '002_config_profiles', '003_ingest_logs'],
      });
    } finally {
      await target.knex.destroy();
    }
  });

  it('an empty 0.1 ingested_files (nothing ingested yet) is upgraded too', async () => {
    await createRunner({ plugin, target: legacy.target }).up({ to: '002_config_profiles' });
    await asVersion01(legacy.knex);
    const target = fresh();
    try {
      const result = await createRunner({ plugin, target }).up();
      expect(result.applied).toEqual(['003_ingest_logs']);
      expect(await count(target.knex, 'run_samples')).toBe(15);
      expect((await parityReport(target)).ok).toBe(true);
    } finally {
      await target.knex.destroy();
    }
  });
});
