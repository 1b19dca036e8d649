import type { DataSource } from 'typeorm';
import { defineMigration } from '@tidemark/core';
import { BULK_READ_SETTINGS } from '../backfill-sql.js';
import { dialectOf } from '../dialect.js';
import { hasForeignKey } from '../inspect.js';
import { AddSnapshotForeignKeys1767225600003 } from '../schema/1767225600003-AddSnapshotForeignKeys.js';
import { inTransaction } from '../transaction.js';

/** After the backfill: both foreign keys are checked once, set-based, over every row. */
export const m004AddSnapshotForeignKeys = defineMigration<DataSource>({
  id: '004_add_snapshot_foreign_keys',
  title: 'Add the foreign keys between production_runs and recipe_snapshots (validated once, after the backfill)',
  requires: ['003_backfill_recipe_snapshots'],
  async up(ctx) {
    await inTransaction(ctx.target, async (runner) => {
      // The foreign keys' checks read the whole snapshot table, planned on stale statistics.
      if (dialectOf(ctx.target) === 'postgres') for (const setting of BULK_READ_SETTINGS) await runner.query(setting);
      await new AddSnapshotForeignKeys1767225600003().up(runner);
    });
  },
  async down(ctx) {
    await inTransaction(ctx.target, (runner) => new AddSnapshotForeignKeys1767225600003().down(runner));
  },
  async validate(ctx) {
    const issues = [];
    if (!(await hasForeignKey(ctx.target, 'recipe_snapshots', 'production_run_id'))) issues.push({ message: 'foreign key is missing', where: 'recipe_snapshots.production_run_id' });
    if (!(await hasForeignKey(ctx.target, 'production_runs', 'recipe_snapshot_id'))) issues.push({ message: 'foreign key is missing', where: 'production_runs.recipe_snapshot_id' });
    return issues;
  },
});
