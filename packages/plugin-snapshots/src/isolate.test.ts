import type { DataSource } from 'typeorm';
import { afterEach, describe, expect, it } from 'vitest';
import { dialectOf } from './dialect.js';
import { isolable } from './isolate.js';
import { typeormLedger } from './ledger.js';
import { BACKFILL_ID } from './migrations/003_backfill_recipe_snapshots.js';
import { loadSampleData } from './sample-data.js';
import { loadState, readState } from './state.js';
import { sql } from './transaction.js';
import { dialects, type TestDb } from './test/databases.js';
import { runnerFor } from './test/scenarios.js';

/** The database refuses to link any of `ids` (a real error, raised after the batch's snapshots were inserted). */
async function refuseLinks(ds: DataSource, ids: number[]) {
  const list = ids.join(', ');
  if (dialectOf(ds) === 'postgres') {
    await sql(
      ds,
      `CREATE FUNCTION tm_bad() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'bad data in run %', NEW.id; END $$ LANGUAGE plpgsql`,
    );
    await sql(
      ds,
      `CREATE TRIGGER tm_bad BEFORE UPDATE OF recipe_snapshot_id ON production_runs FOR EACH ROW WHEN (NEW.id IN (${list}) AND NEW.recipe_snapshot_id IS NOT NULL) EXECUTE FUNCTION tm_bad()`,
    );
  } else {
    await sql(
      ds,
      `CREATE TRIGGER tm_bad BEFORE UPDATE OF recipe_snapshot_id ON production_runs WHEN NEW.id IN (${list}) AND NEW.recipe_snapshot_id IS NOT NULL BEGIN SELECT RAISE(ABORT, 'bad data in run ' || NEW.id); END`,
    );
  }
}

async function heal(ds: DataSource) {
  await sql(ds, dialectOf(ds) === 'postgres' ? 'DROP TRIGGER tm_bad ON production_runs' : 'DROP TRIGGER tm_bad');
}

const linked = async (ds: DataSource) =>
  (await readState(ds)).production_runs.filter((r) => r.recipe_snapshot_id !== null).map((r) => r.id);

describe.each(dialects)('per-run error isolation on %s', (_name, open) => {
  let db: TestDb | undefined;
  afterEach(async () => {
    await db?.dispose();
    db = undefined;
  });

  it.each([1, 2])(
    'a refused batch is split down to the runs that fail (%i lane(s)): they are recorded and skipped, the rest commit, the step fails naming them',
    async (concurrency) => {
      db = await open();
      const ds = db.ds;
      await loadState(ds, await loadSampleData());
      const { runner, events } = runnerFor(ds, { batchSize: 5, concurrency });
      await runner.up({ to: '002_add_run_snapshot_link' });
      await refuseLinks(ds, [3, 7]);

      const error = await runner.up().then(
        () => null,
        (e: unknown) => e as Error,
      );
      expect(error?.message).toContain(
        '2 production run(s) failed and were skipped, every other run is committed (6 migrated)',
      );
      expect(error?.message).toMatch(/run 3: .*bad data in run 3.*; run 7: .*bad data in run 7/);
      // runs 5 and 8: recipe deleted (skipped as always); 3 and 7 refused; every other run committed
      expect(await linked(ds)).toEqual([1, 2, 4, 6, 9, 10]);
      const warned = events.flatMap((e) =>
        e.type === 'log' && e.level === 'warn' && e.message.startsWith('ERROR: run') ? [e.message] : [],
      );
      expect(warned).toHaveLength(2);
      expect(warned.join('\n')).toMatch(/ERROR: run 3: .*bad data in run 3/);

      const ledger = typeormLedger(ds);
      const entry = (await ledger.read()).find((e) => e.id === BACKFILL_ID);
      expect(entry?.outcome).toBe('failed');
      expect(
        (entry?.data as { failed_runs?: { run_id: number }[] } | undefined)?.failed_runs?.map((f) => f.run_id),
      ).toEqual([3, 7]);
      // the next up looks at every window again, so the skipped runs are retried
      expect(await ledger.checkpoints!.load(BACKFILL_ID)).toBeNull();

      await heal(ds);
      const { runner: again } = runnerFor(ds, { batchSize: 5, concurrency });
      const result = await again.up();
      expect(result.applied).toEqual([BACKFILL_ID, '004_add_snapshot_foreign_keys']);
      expect(await linked(ds)).toEqual([1, 2, 3, 4, 6, 7, 9, 10]);
      expect((await again.verify()).validation).toEqual([]);
    },
  );

  it('stops once more runs fail than maxFailedRuns allows', async () => {
    db = await open();
    const ds = db.ds;
    await loadState(ds, await loadSampleData());
    const { runner } = runnerFor(ds, { batchSize: 10, concurrency: 1, maxFailedRuns: 1 });
    await runner.up({ to: '002_add_run_snapshot_link' });
    await refuseLinks(ds, [2, 9]);
    await expect(runner.up()).rejects.toThrow(
      /more than 1 production run\(s\) failed \(maxFailedRuns\); stopped at run 9/,
    );
    expect(await linked(ds)).toEqual([1, 3, 4, 6, 7]); // halves before run 9 committed
  });
});

describe('isolable', () => {
  const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });
  it('splits data errors, never a lost connection, a full disk or a serialization failure', () => {
    expect(isolable(withCode('P0001'))).toBe(true);
    expect(isolable(withCode('23505'))).toBe(true);
    expect(isolable(withCode('22P02'))).toBe(true);
    expect(isolable(new Error('bad data in run 3'))).toBe(true);
    expect(isolable(withCode('08006'))).toBe(false);
    expect(isolable(withCode('53100'))).toBe(false);
    expect(isolable(withCode('40001'))).toBe(false);
    expect(isolable(withCode('ECONNRESET'))).toBe(false);
    expect(isolable(withCode('SQLITE_BUSY'))).toBe(false);
    expect(isolable(new Error('Connection terminated unexpectedly'))).toBe(false);
    expect(isolable('not an error')).toBe(false);
  });
});
