// Shared helpers for tests: a runner with its events collected, and the app-snapshots scenario (schema
// already deployed, the app snapshotting new runs, an unlinked leftover snapshot).
import { createRunner, type Runner, type TidemarkEvent } from '@tidemark/core';
import type { DataSource } from 'typeorm';
import type { SnapshotsPluginOptions } from '../options.js';
import { snapshotsPlugin } from '../plugin.js';
import type { SnapshotsState } from '../state.js';

export const FIXED_NOW = new Date('2026-01-04T12:00:00.000Z');

export function runnerFor(
  ds: DataSource,
  options: SnapshotsPluginOptions = {},
): { runner: Runner; events: TidemarkEvent[] } {
  const events: TidemarkEvent[] = [];
  const runner = createRunner({
    plugin: snapshotsPlugin({ clock: () => FIXED_NOW, ...options }),
    target: ds,
    onEvent: (e) => events.push(e),
    lock: { waitMs: 20_000, ttlMs: 5_000 },
  });
  return { runner, events };
}

/** The sample data after the app deployed the snapshot schema and began snapshotting new runs itself. */
export function withAppSnapshots(sample: SnapshotsState): SnapshotsState {
  const runs = sample.production_runs.map((r) => ({ ...r, recipe_snapshot_id: null as number | null }));
  const appSnapshot = (id: number, runId: number, recipeId: number) => ({
    id,
    recipe_id: recipeId,
    production_run_id: runId,
    scale_factor: 2,
    snapshot_date: runs.find((r) => r.id === runId)!.produced_at ?? '2026-01-01T00:00:00.000Z',
    recipe_data: { name: 'as it was on the day', category: 'Cookies' },
    ingredients_data: [
      {
        ingredient_id: 1,
        ingredient_name: 'All-Purpose Flour',
        ingredient_slug: 'all_purpose_flour',
        quantity: 4.5,
        unit: 'cup',
        notes: null,
      },
    ],
    is_backfilled: false,
  });
  const snapshots = [appSnapshot(1, 9, 3), appSnapshot(2, 10, 1), appSnapshot(3, 6, 2)];
  runs.find((r) => r.id === 9)!.recipe_snapshot_id = 1;
  runs.find((r) => r.id === 10)!.recipe_snapshot_id = 2;
  // Snapshot 3 exists for run 6 but the run was never linked: the backfill must not make a second one.
  return { ...sample, production_runs: runs, recipe_snapshots: snapshots, run_link: true };
}

export const GOLDEN_DIR = new URL('../../../../fixtures/plugin-snapshots/', import.meta.url).pathname;
