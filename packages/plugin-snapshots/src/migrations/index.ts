// The shipped migrations, in order. A function of the resolved options: 003's backfill reads its batch
// size and commit mode from them.
import type { DataSource } from 'typeorm';
import type { Migration } from '@tidemark/core';
import type { ResolvedOptions } from '../options.js';
import { m001CreateRecipeSnapshots } from './001_create_recipe_snapshots.js';
import { m002AddRunSnapshotLink } from './002_add_run_snapshot_link.js';
import { backfillMigration } from './003_backfill_recipe_snapshots.js';
import { m004AddSnapshotForeignKeys } from './004_add_snapshot_foreign_keys.js';

export function migrations(options: ResolvedOptions): Migration<DataSource>[] {
  return [m001CreateRecipeSnapshots, m002AddRunSnapshotLink, backfillMigration(options), m004AddSnapshotForeignKeys];
}
