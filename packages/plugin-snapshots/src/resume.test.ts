import type { DataSource } from 'typeorm';
import { afterEach, describe, expect, it } from 'vitest';
import { dialectOf } from './dialect.js';
import { typeormLedger } from './ledger.js';
import { START, type BackfillCursor } from './cursor.js';
import { BACKFILL_ID } from './migrations/003_backfill_recipe_snapshots.js';
import { loadSampleData } from './sample-data.js';
import { loadState, normalizeState, readState } from './state.js';
import { sql } from './transaction.js';
import { dialects, type TestDb } from './test/databases.js';
import { runnerFor } from './test/scenarios.js';

/**
 * A real fault in the middle of a batch: the database refuses to link run `id`, after the batch's snapshots
 * were inserted (on PostgreSQL after `delayS` seconds, so a concurrent batch commits first).
 */
async function breakLinkOf(ds: DataSource, id: number, delayS = 0) {
  if (dialectOf(ds) === 'postgres') {
    await sql(
      ds,
      `CREATE FUNCTION tm_fault() RETURNS trigger AS $$ BEGIN PERFORM pg_sleep(${delayS}); RAISE EXCEPTION 'injected fault at run %', NEW.id; END $$ LANGUAGE plpgsql`,
    );
    await sql(
      ds,
      `CREATE TRIGGER tm_fault BEFORE UPDATE OF recipe_snapshot_id ON production_runs FOR EACH ROW WHEN (NEW.id = ${id} AND NEW.recipe_snapshot_id IS NOT NULL) EXECUTE FUNCTION tm_fault()`,
    );
  } else {
    await sql(
      ds,
      `CREATE TRIGGER tm_fault BEFORE UPDATE OF recipe_snapshot_id ON production_runs WHEN NEW.id = ${id} AND NEW.recipe_snapshot_id IS NOT NULL BEGIN SELECT RAISE(ABORT, 'injected fault at run ${id}'); END`,
    );
  }
}

async function heal(ds: DataSource) {
  await sql(ds, dialectOf(ds) === 'postgres' ? 'DROP TRIGGER tm_fault ON production_runs' : 'DROP TRIGGER tm_fault');
}

async function noDuplicates(ds: DataSource) {
  const [row] = await sql<{ n: unknown; runs: unknown }>(
    ds,
    'SELECT COUNT(*) AS n, COUNT(DISTINCT production_run_id) AS runs FROM recipe_snapshots',
  );
  expect(Number(row!.n)).toBe(Number(row!.runs));
}

/**
 * Loads the sample data into `ds`, and returns the state an uninterrupted backfill of it gives (on a second database).
 */
async function sampleWithReference(ds: DataSource, open: () => Promise<TestDb>) {
  const sample = await loadSampleData();
  await loadState(ds, sample);
  const reference = await open();
  try {
    await loadState(reference.ds, sample);
    await runnerFor(reference.ds, { batchSize: 3, concurrency: 1 }).runner.up();
    return await readState(reference.ds);
  } finally {
    await reference.dispose();
  }
}

describe.each(dialects)('crash and resume on %s', (_name, open) => {
  let db: TestDb | undefined;
  afterEach(async () => {
    await db?.dispose();
    db = undefined;
  });

  it('a fault in the middle of a batch rolls back that batch only; the next run resumes from the saved cursor', async () => {
    db = await open();
    const ds = db.ds;
    const expected = await sampleWithReference(ds, open);

    // Schema first, then the trigger (it needs the column), then the backfill that meets it in batch 3 (runs 7..9).
    // One lane, so the batches run in order (concurrent lanes: the next test).
    const { runner } = runnerFor(ds, { batchSize: 3, concurrency: 1, maxFailedRuns: 0 });
    await runner.up({ to: '002_add_run_snapshot_link' });
    // batch 3 holds runs 7, 8 (recipe deleted) and 9: the fault hits after its snapshots were inserted
    await breakLinkOf(ds, 7);
    await expect(runner.up()).rejects.toThrow(/injected fault at run 7/);

    const partial = await readState(ds);
    expect(partial.production_runs.filter((r) => r.recipe_snapshot_id !== null).map((r) => r.id)).toEqual([
      1, 2, 3, 4, 6,
    ]);
    expect(partial.recipe_snapshots!.map((s) => s.production_run_id)).toEqual([1, 2, 3, 4, 6]);
    const ledger = typeormLedger(ds);
    expect(await ledger.checkpoints!.load(BACKFILL_ID)).toMatchObject({
      after: 6,
      batches: 2,
      migrated: 5,
      skipped: 1,
    });
    expect((await ledger.read()).find((e) => e.id === BACKFILL_ID)?.outcome).toBe('failed');

    await heal(ds);
    const { runner: again, events } = runnerFor(ds, { batchSize: 3, concurrency: 1 });
    const result = await again.up();
    expect(result.applied).toEqual([BACKFILL_ID, '004_add_snapshot_foreign_keys']);
    expect(events.some((e) => e.type === 'log' && e.message.startsWith('resuming after production run 6'))).toBe(true);
    // Only the two remaining batches ran.
    expect(
      events.filter((e) => e.type === 'step:progress').map((e) => (e.type === 'step:progress' ? e.done : 0)),
    ).toEqual([9, 10]);
    await noDuplicates(ds);
    // PostgreSQL sequences are not transactional: the rolled-back batch used ids, so compare modulo ids.
    expect(normalizeState(await readState(ds))).toEqual(normalizeState(expected));
    expect(await ledger.checkpoints!.load(BACKFILL_ID)).toBeNull();
  });

  it('concurrent batches: a later window that commits while an earlier one fails is kept, and the next run skips it', async () => {
    db = await open();
    const ds = db.ds;
    const expected = await sampleWithReference(ds, open);

    // Windows (0,3] (3,6] (6,9] (9,10]; the first one fails, on PostgreSQL only after the second committed.
    const { runner, events: first } = runnerFor(ds, { batchSize: 3, concurrency: 2, maxFailedRuns: 0 });
    await runner.up({ to: '002_add_run_snapshot_link' });
    await breakLinkOf(ds, 1, 0.5);
    await expect(runner.up()).rejects.toThrow(/injected fault at run 1/);

    const ledger = typeormLedger(ds);
    // sql.js runs one lane: there the failing first window is all that ran, and nothing is saved.
    const cursor = ((await ledger.checkpoints!.load(BACKFILL_ID)) as BackfillCursor | null) ?? START;
    const partial = await readState(ds);
    const linked = partial.production_runs.filter((r) => r.recipe_snapshot_id !== null).map((r) => r.id);
    // Nothing of (0,3] is kept; the cursor accounts for exactly what committed.
    expect(cursor.after).toBe(0);
    expect(linked.every((id) => id > 3)).toBe(true);
    expect(cursor.migrated).toBe(linked.length);
    expect(cursor.ahead ?? []).toHaveLength(cursor.batches);
    for (const id of linked) expect(cursor.ahead!.some((w) => w.lo < id && id <= w.hi)).toBe(true);
    if (dialectOf(ds) === 'postgres') expect(cursor.ahead?.[0]).toEqual({ lo: 3, hi: 6 });

    await heal(ds);
    const { runner: again, events } = runnerFor(ds, { batchSize: 3, concurrency: 2 });
    await again.up();
    if (cursor.batches > 0)
      expect(
        events.some(
          (e) =>
            e.type === 'log' && e.message.startsWith(`resuming after production run 0 (${cursor.batches} batch(es)`),
        ),
      ).toBe(true);
    await noDuplicates(ds);
    expect(normalizeState(await readState(ds))).toEqual(normalizeState(expected));
    // Counted once: each run of the deleted recipe is reported by exactly one batch over both runs.
    const skippedRuns = [...first, ...events]
      .flatMap((e) =>
        e.type === 'log' && e.message.startsWith('SKIP:') ? (e.data as { skipped: { run_id: number }[] }).skipped : [],
      )
      .map((r) => r.run_id);
    expect(skippedRuns.sort((a, b) => a - b)).toEqual([5, 8]);
    const done = events.find((e) => e.type === 'log' && e.message.startsWith('backfilled'));
    expect(done?.type === 'log' ? done.data : undefined).toMatchObject({
      after: 10,
      seen: 10,
      migrated: 8,
      skipped: 2,
      errors: 0,
    });
    expect(await ledger.checkpoints!.load(BACKFILL_ID)).toBeNull();
  });

  it('a crash between a batch commit and its cursor cannot duplicate: a stale cursor re-reads and skips linked runs', async () => {
    db = await open();
    const ds = db.ds;
    await loadState(ds, await loadSampleData());
    const { runner } = runnerFor(ds, { batchSize: 4, maxFailedRuns: 0 });
    await runner.up({ to: '002_add_run_snapshot_link' });
    await breakLinkOf(ds, 9);
    await expect(runner.up()).rejects.toThrow(/injected fault/);
    await heal(ds);
    // Pretend the cursor of the committed batches was lost.
    await typeormLedger(ds).checkpoints!.save(BACKFILL_ID, {
      after: 0,
      seen: 0,
      migrated: 0,
      skipped: 0,
      errors: 0,
      batches: 1,
    });
    await runnerFor(ds, { batchSize: 4 }).runner.up();
    await noDuplicates(ds);
    expect((await readState(ds)).recipe_snapshots).toHaveLength(8);
  });

  it("commit: 'run' rolls the whole run back on a fault, ledger and cursor included", async () => {
    db = await open();
    const ds = db.ds;
    await loadState(ds, await loadSampleData());
    // The trigger needs the column: deploy the schema the way the app would, then snapshot the state.
    const { runner: schema } = runnerFor(ds, { commit: 'run' });
    await schema.up({ to: '002_add_run_snapshot_link' });
    await breakLinkOf(ds, 7);
    const before = await readState(ds);
    const { runner } = runnerFor(ds, { commit: 'run', batchSize: 3 });
    await expect(runner.up()).rejects.toThrow(/restored|injected/);
    expect(await readState(ds)).toEqual(before);
    const ledger = typeormLedger(ds);
    expect(await ledger.checkpoints!.load(BACKFILL_ID)).toBeNull();
    expect((await ledger.read()).map((e) => [e.id, e.outcome])).toEqual([
      ['001_create_recipe_snapshots', 'applied'],
      ['002_add_run_snapshot_link', 'applied'],
      [BACKFILL_ID, 'failed'],
    ]);
    await heal(ds);
    await runnerFor(ds, { commit: 'run' }).runner.up();
    expect((await readState(ds)).recipe_snapshots).toHaveLength(8);
  });

  it("commit: 'run' on a legacy database: a failing backfill also undoes the schema steps", async () => {
    db = await open();
    const ds = db.ds;
    await loadState(ds, await loadSampleData());
    const before = await readState(ds);
    // A recipe_ingredients row the JSON cannot hold makes the backfill itself fail: break the SQL by dropping a column
    // it reads.
    await sql(ds, 'ALTER TABLE ingredients RENAME COLUMN slug TO slug_renamed');
    const { runner } = runnerFor(ds, { commit: 'run' });
    await expect(runner.up()).rejects.toThrow(/restored to its state before the run/);
    await sql(ds, 'ALTER TABLE ingredients RENAME COLUMN slug_renamed TO slug');
    expect(await readState(ds)).toEqual(before);
    expect((await typeormLedger(ds).read()).filter((e) => e.outcome !== 'failed')).toEqual([]);
  });

  it('a stop signal ends the backfill after the current batch, resumable', async () => {
    db = await open();
    const ds = db.ds;
    await loadState(ds, await loadSampleData());
    const controller = new AbortController();
    const { runner } = runnerFor(ds, { batchSize: 2 });
    const { createRunner } = await import('@tidemark/core');
    const { snapshotsPlugin } = await import('./plugin.js');
    const stoppable = createRunner({
      plugin: snapshotsPlugin({ batchSize: 2, concurrency: 1 }),
      target: ds,
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'step:progress' && e.done >= 4) controller.abort();
      },
    });
    await expect(stoppable.up()).rejects.toThrow(/stopped after production run 4/);
    expect(await typeormLedger(ds).checkpoints!.load(BACKFILL_ID)).toMatchObject({ after: 4, batches: 2 });
    await runner.up();
    await noDuplicates(ds);
    expect((await readState(ds)).recipe_snapshots).toHaveLength(8);
  });
});
