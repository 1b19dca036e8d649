import type { DataSource } from 'typeorm';
import { defineMigration } from '@tidemark/core';
import { hasColumn } from '../inspect.js';
import { AddRunSnapshotLink1767225600002 } from '../schema/1767225600002-AddRunSnapshotLink.js';
import { inTransaction } from '../transaction.js';

export const m002AddRunSnapshotLink = defineMigration<DataSource>({
  id: '002_add_run_snapshot_link',
  title: 'Add production_runs.recipe_snapshot_id',
  requires: ['001_create_recipe_snapshots'],
  async up(ctx) {
    await inTransaction(ctx.target, (runner) => new AddRunSnapshotLink1767225600002().up(runner));
  },
  async down(ctx) {
    await inTransaction(ctx.target, (runner) => new AddRunSnapshotLink1767225600002().down(runner));
  },
  async validate(ctx) {
    return (await hasColumn(ctx.target, 'production_runs', 'recipe_snapshot_id'))
      ? []
      : [{ message: 'column is missing', where: 'production_runs.recipe_snapshot_id' }];
  },
});
