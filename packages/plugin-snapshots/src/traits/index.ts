// Read-only detectors of the legacy shapes; each names the migration that fixes it. A database whose app
// already created the snapshot schema gets 001/002 baselined (recorded, not run), and its down keeps them.
import type { DataSource } from 'typeorm';
import { defineTrait } from '@tidemark/core';
import { schemaShape } from '../inspect.js';
import { BACKFILL_ID } from '../migrations/003_backfill_recipe_snapshots.js';
import { backfillStats } from '../stats.js';

export const snapshotsTableMissing = defineTrait<DataSource>({
  id: 'recipe-snapshots-table-missing',
  title: 'No recipe_snapshots table',
  fixes: ['001_create_recipe_snapshots'],
  async detect(ds) {
    const shape = await schemaShape(ds);
    return shape.snapshotsTable ? null : { summary: 'table recipe_snapshots does not exist', details: { ...shape } };
  },
});

export const runLinkMissing = defineTrait<DataSource>({
  id: 'run-snapshot-link-missing',
  title: 'No production_runs.recipe_snapshot_id column',
  fixes: ['002_add_run_snapshot_link'],
  async detect(ds) {
    const shape = await schemaShape(ds);
    return shape.runLink
      ? null
      : { summary: 'column production_runs.recipe_snapshot_id does not exist', details: { ...shape } };
  },
});

export const runsWithoutSnapshot = defineTrait<DataSource>({
  id: 'runs-without-snapshot',
  title: 'Production runs of an existing recipe without a recipe snapshot',
  fixes: [BACKFILL_ID],
  async detect(ds) {
    const stats = await backfillStats(ds);
    if (stats.migrated === 0) return null;
    return {
      summary: `${stats.migrated} of ${stats.total_runs} production run(s) have no recipe snapshot`,
      details: { ...stats },
    };
  },
});

export const snapshotForeignKeysMissing = defineTrait<DataSource>({
  id: 'snapshot-foreign-keys-missing',
  title: 'No foreign keys between production_runs and recipe_snapshots',
  fixes: ['004_add_snapshot_foreign_keys'],
  async detect(ds) {
    const shape = await schemaShape(ds);
    return shape.foreignKeys
      ? null
      : {
          summary: 'the foreign keys between production_runs and recipe_snapshots do not exist',
          details: { ...shape },
        };
  },
});
