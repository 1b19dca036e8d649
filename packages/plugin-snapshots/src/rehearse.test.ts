import type { DataSource } from 'typeorm';
import { afterEach, describe, expect, it } from 'vitest';
import { dialectOf } from './dialect.js';
import { hasTable } from './inspect.js';
import { loadSampleData } from './sample-data.js';
import { loadState, readState } from './state.js';
import { sql } from './transaction.js';
import { dialects, type TestDb } from './test/databases.js';
import { runnerFor } from './test/scenarios.js';

async function refuseLink(ds: DataSource, id: number) {
  if (dialectOf(ds) === 'postgres') {
    await sql(
      ds,
      `CREATE FUNCTION tm_bad() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'bad data in run %', NEW.id; END $$ LANGUAGE plpgsql`,
    );
    await sql(
      ds,
      `CREATE TRIGGER tm_bad BEFORE UPDATE OF recipe_snapshot_id ON production_runs FOR EACH ROW WHEN (NEW.id = ${id} AND NEW.recipe_snapshot_id IS NOT NULL) EXECUTE FUNCTION tm_bad()`,
    );
  } else {
    await sql(
      ds,
      `CREATE TRIGGER tm_bad BEFORE UPDATE OF recipe_snapshot_id ON production_runs WHEN NEW.id = ${id} AND NEW.recipe_snapshot_id IS NOT NULL BEGIN SELECT RAISE(ABORT, 'bad data in run ' || NEW.id); END`,
    );
  }
}

describe.each(dialects)('rehearse on %s', (_name, open) => {
  let db: TestDb | undefined;
  afterEach(async () => {
    await db?.dispose();
    db = undefined;
  });

  it('applies the whole plan in a transaction that is rolled back: rows per table, the validators, and the target untouched', async () => {
    db = await open();
    const ds = db.ds;
    await loadState(ds, await loadSampleData());
    const before = await readState(ds);
    const { runner } = runnerFor(ds, { backup: true });
    const report = await runner.rehearse();
    expect(report.error).toBeUndefined();
    expect(report.outcome).toBe('ok');
    expect(report.applied).toEqual([
      '001_create_recipe_snapshots',
      '002_add_run_snapshot_link',
      '003_backfill_recipe_snapshots',
      '004_add_snapshot_foreign_keys',
    ]);
    const byPath = new Map(report.diff.changes.map((c) => [c.path, c]));
    expect(byPath.get('recipe_snapshots')).toEqual({
      kind: 'added',
      path: 'recipe_snapshots',
      detail: 'table created; 8 inserted, 0 updated, 0 deleted',
    });
    expect(byPath.get('production_runs')?.detail).toBe('0 inserted, 8 updated, 0 deleted');
    expect(byPath.has('recipes')).toBe(false);
    expect(byPath.get('validators')?.detail).toBe('validators pass');
    expect(report.diff.summary).toContain('(rolled back)');

    expect(await readState(ds)).toEqual(before);
    expect(await hasTable(ds, 'recipe_snapshots')).toBe(false);
    expect((await runner.status()).entries).toEqual([]);
    expect((await runner.status()).lock).toBeNull();
    // no backup for a rehearsal
    if (dialectOf(ds) === 'postgres')
      expect(await sql(ds, "SELECT 1 FROM pg_namespace WHERE nspname LIKE 'tidemark_backup_%'")).toEqual([]);
    // and the real run afterwards does what the rehearsal said
    const result = await runnerFor(ds).runner.up();
    expect(result.applied).toHaveLength(4);
    expect((await readState(ds)).recipe_snapshots).toHaveLength(8);
  });

  it('a rehearsal that fails reports why and leaves the target as it was', async () => {
    db = await open();
    const ds = db.ds;
    await loadState(ds, await loadSampleData());
    const { runner } = runnerFor(ds);
    await runner.up({ to: '002_add_run_snapshot_link' });
    await refuseLink(ds, 4);
    const before = await readState(ds);
    const report = await runner.rehearse();
    expect(report.outcome).toBe('failed');
    expect(report.error).toContain('bad data in run 4');
    expect(await readState(ds)).toEqual(before);
    expect((await runner.status()).entries.map((e) => e.id)).toEqual([
      '001_create_recipe_snapshots',
      '002_add_run_snapshot_link',
    ]);
  });
});
