import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readFixture } from './fixture.js';
import { snapshotsPlugin } from './plugin.js';
import { dialectOf } from './dialect.js';
import { loadSampleData } from './sample-data.js';
import { loadState, normalizeState, readState, type SnapshotsState } from './state.js';
import { backfillStats, formatStats, orphanMessage } from './stats.js';
import { sql } from './transaction.js';
import { dialects, type TestDb } from './test/databases.js';
import { FIXED_NOW, runnerFor, withAppSnapshots } from './test/scenarios.js';

const SEED_RECIPE_KEYS = [
  'name',
  'category',
  'source',
  'yield_quantity',
  'yield_unit',
  'yield_description',
  'estimated_time_minutes',
  'notes',
  'variant_name',
];
const SEED_INGREDIENT_KEYS = ['ingredient_id', 'ingredient_name', 'ingredient_slug', 'quantity', 'unit', 'notes'];

describe.each(dialects)('backfill on %s', (_name, open) => {
  let db: TestDb | undefined;
  afterEach(async () => {
    await db?.dispose();
    db = undefined;
  });

  async function legacy(state?: SnapshotsState) {
    db = await open();
    const sample = state ?? (await loadSampleData());
    await loadState(db.ds, sample);
    return { ds: db.ds, sample };
  }

  it('dry run reports the seed stats and changes nothing', async () => {
    const { ds } = await legacy();
    const before = await readState(ds);
    const stats = await backfillStats(ds);
    expect(stats).toEqual({
      total_runs: 10,
      already_migrated: 0,
      migrated: 8,
      skipped_no_recipe: 2,
      errors: [],
      error_count: 0,
    });
    expect(formatStats(stats, true)).toContain('Would migrate: 8');
    const { runner } = runnerFor(ds);
    const result = await runner.up({ dryRun: true });
    expect(result.outcome).toBe('dry-run');
    expect(result.plan.steps.map((s) => s.id)).toEqual([
      '001_create_recipe_snapshots',
      '002_add_run_snapshot_link',
      '003_backfill_recipe_snapshots',
      '004_add_snapshot_foreign_keys',
    ]);
    expect(result.plan.findings['runs-without-snapshot']?.details).toMatchObject({ migrated: 8, skipped_no_recipe: 2 });
    expect(await readState(ds)).toEqual(before);
    expect((await runner.status()).entries).toEqual([]);
  });

  it('up builds snapshots from current recipe data as the seed does, skips deleted recipes with a warning', async () => {
    const { ds, sample } = await legacy();
    // One lane: batches, warnings and progress in run order (two lanes: the next test).
    const { runner, events } = runnerFor(ds, { batchSize: 3, concurrency: 1 });
    const result = await runner.up();
    expect(result.applied).toEqual([
      '001_create_recipe_snapshots',
      '002_add_run_snapshot_link',
      '003_backfill_recipe_snapshots',
      '004_add_snapshot_foreign_keys',
    ]);
    const after = await readState(ds);
    const snapshots = after.recipe_snapshots!;
    expect(snapshots).toHaveLength(8);
    for (const run of after.production_runs) {
      const snapshot = snapshots.find((s) => s.production_run_id === run.id);
      if (run.recipe_id === 4) {
        expect(run.recipe_snapshot_id).toBeNull();
        expect(snapshot).toBeUndefined();
        continue;
      }
      expect(run.recipe_snapshot_id).toBe(snapshot!.id);
      const recipe = sample.recipes.find((r) => r.id === run.recipe_id)!;
      expect(snapshot).toMatchObject({
        recipe_id: recipe.id,
        scale_factor: 1,
        is_backfilled: true,
        snapshot_date: run.produced_at ?? FIXED_NOW.toISOString(),
      });
      expect(Object.keys(snapshot!.recipe_data as object)).toEqual(SEED_RECIPE_KEYS);
      const { id: _id, ...recipeFields } = recipe;
      expect(snapshot!.recipe_data).toEqual(recipeFields);
      const lines = sample.recipe_ingredients.filter((ri) => ri.recipe_id === recipe.id).sort((a, b) => a.id - b.id);
      const expected = lines.map((ri) => {
        const ing = sample.ingredients.find((i) => i.id === ri.ingredient_id);
        return {
          ingredient_id: ri.ingredient_id,
          ingredient_name: ing ? ing.display_name : 'Unknown',
          ingredient_slug: ing ? ing.slug : '',
          quantity: ri.quantity,
          unit: ri.unit,
          notes: ri.notes,
        };
      });
      expect(snapshot!.ingredients_data).toEqual(expected);
      for (const item of snapshot!.ingredients_data as object[])
        expect(Object.keys(item)).toEqual(SEED_INGREDIENT_KEYS);
    }
    const warnings = events.filter((e) => e.type === 'log' && e.level === 'warn');
    expect(warnings.map((w) => (w.type === 'log' ? w.message : ''))).toEqual([
      'SKIP: 1 production run(s) whose recipe was deleted: run 5 (recipe 4)',
      'SKIP: 1 production run(s) whose recipe was deleted: run 8 (recipe 4)',
    ]);
    const progress = events.filter((e) => e.type === 'step:progress');
    expect(progress.map((p) => (p.type === 'step:progress' ? [p.done, p.total] : []))).toEqual([
      [3, 10],
      [6, 10],
      [9, 10],
      [10, 10],
    ]);
    expect(await backfillStats(ds)).toEqual({
      total_runs: 10,
      already_migrated: 8,
      migrated: 0,
      skipped_no_recipe: 2,
      errors: [],
      error_count: 0,
    });
    expect((await runner.verify()).ok).toBe(true);
  });

  it('two lanes: the same rows, each skip reported once, one progress event per batch and never going back', async () => {
    const { ds } = await legacy();
    const { runner: reference } = runnerFor(ds, { batchSize: 3, concurrency: 1 });
    await reference.up();
    const expected = normalizeState(await readState(ds));
    await reference.down({ to: null });
    const { runner, events } = runnerFor(ds, { batchSize: 3, concurrency: 2 });
    await runner.up();
    expect(normalizeState(await readState(ds))).toEqual(expected);
    const skipped = events.flatMap((e) =>
      e.type === 'log' && e.message.startsWith('SKIP:') ? (e.data as { skipped: { run_id: number }[] }).skipped : [],
    );
    expect(skipped.map((r) => r.run_id).sort((a, b) => a - b)).toEqual([5, 8]);
    const done = events.flatMap((e) => (e.type === 'step:progress' ? [e.done] : []));
    expect(done).toHaveLength(4);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    expect(done.at(-1)).toBe(10);
  });

  it('is idempotent: a second up changes nothing and plans nothing', async () => {
    const { ds } = await legacy();
    const { runner } = runnerFor(ds);
    await runner.up();
    const once = await readState(ds);
    const again = await runner.up();
    expect(again.outcome).toBe('nothing-to-do');
    expect((await runner.plan()).steps).toEqual([]);
    expect(await readState(ds)).toEqual(once);
  });

  it("down removes backfilled snapshots and links; the app's own snapshots stay", async () => {
    const state = withAppSnapshots(await loadSampleData());
    const { ds } = await legacy(state);
    const before = await readState(ds);
    const { runner, events } = runnerFor(ds);
    const stats = await backfillStats(ds);
    expect(stats).toMatchObject({
      total_runs: 10,
      already_migrated: 2,
      migrated: 5,
      skipped_no_recipe: 2,
      error_count: 1,
    });
    expect(stats.errors).toEqual([{ run_id: 6, error: expect.stringContaining('snapshot 3 already exists') }]);
    const up = await runner.up();
    expect(up.baselined).toEqual([
      '001_create_recipe_snapshots',
      '002_add_run_snapshot_link',
      '004_add_snapshot_foreign_keys',
    ]);
    expect(up.applied).toEqual(['003_backfill_recipe_snapshots']);
    const after = await readState(ds);
    expect(after.recipe_snapshots!.filter((s) => !s.is_backfilled)).toEqual(before.recipe_snapshots);
    expect(after.recipe_snapshots!.filter((s) => s.is_backfilled).map((s) => s.production_run_id)).toEqual([
      1, 2, 3, 4, 7,
    ]);
    // The run with an unlinked snapshot is reported (with that snapshot's id) and left alone, like the deleted recipes'
    // runs.
    const warnings = events.flatMap((e) =>
      e.type === 'log' && e.level === 'warn' ? [{ message: e.message, data: e.data }] : [],
    );
    expect(warnings).toEqual([
      {
        message: 'SKIP: 2 production run(s) whose recipe was deleted: run 5 (recipe 4), run 8 (recipe 4)',
        data: {
          skipped: [
            { run_id: 5, recipe_id: 4 },
            { run_id: 8, recipe_id: 4 },
          ],
        },
      },
      { message: `ERROR: run 6: ${orphanMessage(3)}`, data: { run_id: 6, snapshot_id: 3 } },
    ]);
    expect(after.production_runs.find((r) => r.id === 6)?.recipe_snapshot_id).toBeNull();
    expect(after.recipe_snapshots!.filter((s) => s.production_run_id === 6)).toHaveLength(1);
    await runner.down({ to: null });
    expect(await readState(ds)).toEqual(before);
  });

  it("verify names each broken link: a run linking another run's snapshot, a backfilled snapshot left unlinked, a run left without one", async () => {
    const { ds } = await legacy();
    const { runner } = runnerFor(ds);
    await runner.up();
    const snapshotOf = async (run: number) =>
      Number(
        (await sql<{ id: unknown }>(ds, `SELECT id FROM recipe_snapshots WHERE production_run_id = ${run}`))[0]?.id,
      );
    await sql(ds, `UPDATE production_runs SET recipe_snapshot_id = ${await snapshotOf(2)} WHERE id = 1`);
    await sql(ds, `UPDATE production_runs SET recipe_snapshot_id = NULL WHERE id = 3`);
    await sql(ds, `DELETE FROM recipe_snapshots WHERE production_run_id = 3`);
    const result = await runner.verify();
    expect(result.ok).toBe(false);
    expect(result.validation).toEqual([
      {
        id: '003_backfill_recipe_snapshots',
        issues: [
          {
            message: '1 run(s) with an existing recipe still have no snapshot',
            where: 'production_runs.recipe_snapshot_id',
          },
          { message: '1 run(s) link a snapshot taken for another run', where: 'production_runs.recipe_snapshot_id' },
          { message: '1 backfilled snapshot(s) are not linked from their run', where: 'recipe_snapshots' },
        ],
      },
    ]);
  });

  it('down of a legacy database drops the schema again', async () => {
    const { ds, sample } = await legacy();
    const { runner } = runnerFor(ds);
    await runner.up();
    const down = await runner.down({ to: null });
    expect(down.reverted).toEqual([
      '004_add_snapshot_foreign_keys',
      '003_backfill_recipe_snapshots',
      '002_add_run_snapshot_link',
      '001_create_recipe_snapshots',
    ]);
    expect(await readState(ds)).toEqual({ ...sample, run_link: false });
    await runner.up();
    expect((await readState(ds)).recipe_snapshots).toHaveLength(8);
  });

  it('throttles between batches', async () => {
    const { ds } = await legacy();
    // One lane: a pause after each of the four batches.
    const { runner, events } = runnerFor(ds, { batchSize: 3, throttleMs: 150, concurrency: 1 });
    await runner.up({ to: '002_add_run_snapshot_link' });
    const t0 = performance.now();
    await runner.up();
    // Four batches, a pause after each.
    expect(performance.now() - t0).toBeGreaterThanOrEqual(4 * 150);
    expect(events.filter((e) => e.type === 'step:progress')).toHaveLength(4);
  });

  it('captures the state as fixture files', async () => {
    const { ds, sample } = await legacy();
    const dir = await mkdtemp(join(tmpdir(), 'tm-snap-capture-'));
    try {
      await snapshotsPlugin().capture!(ds, dir);
      expect(await readFixture(dir)).toEqual({ ...sample, run_link: false });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a duplicate snapshot for a run is refused by the unique constraint', async () => {
    const { ds } = await legacy();
    const { runner } = runnerFor(ds);
    await runner.up();
    const yes = dialectOf(ds) === 'postgres' ? 'true' : '1';
    await expect(
      sql(
        ds,
        `INSERT INTO recipe_snapshots (recipe_id, production_run_id, scale_factor, snapshot_date, recipe_data, ingredients_data, is_backfilled)
               SELECT recipe_id, production_run_id, scale_factor, snapshot_date, recipe_data, ingredients_data, ${yes} FROM recipe_snapshots WHERE production_run_id = 1`,
      ),
    ).rejects.toThrow(/unique|UNIQUE/);
  });
});
