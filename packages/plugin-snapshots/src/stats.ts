// The seed's dry-run report (total, already migrated, would migrate, skipped, errors), computed by one
// aggregate query instead of a loop, and printable in the seed's words.
import { createError } from '@tidemark/core';
import type { DataSource } from 'typeorm';
import { missingAppTables, missingTablesMessage, schemaShape } from './inspect.js';
import { sql } from './transaction.js';

export interface BackfillError {
  run_id: number;
  error: string;
}

export interface BackfillStats {
  total_runs: number;
  already_migrated: number;
  /** In a dry run: would migrate. */
  migrated: number;
  skipped_no_recipe: number;
  errors: BackfillError[];
}

/** Errors listed in full up to this many; the count is always exact. */
const ERROR_LIST_LIMIT = 100;

export async function backfillStats(ds: DataSource): Promise<BackfillStats & { error_count: number }> {
  const shape = await schemaShape(ds);
  if (!shape.productionRuns)
    throw createError('plugin-snapshots', `${missingTablesMessage(await missingAppTables(ds))}`);
  const linked = shape.runLink ? 'pr.recipe_snapshot_id IS NOT NULL' : '1 = 0';
  const unlinked = shape.runLink ? 'pr.recipe_snapshot_id IS NULL' : '1 = 1';
  // production_run_id is unique, so the snapshot join never multiplies runs.
  const orphan = shape.snapshotsTable ? 's.id IS NOT NULL' : '1 = 0';
  const snapshots = shape.snapshotsTable ? 'LEFT JOIN recipe_snapshots s ON s.production_run_id = pr.id' : '';
  const [row] = await sql<Record<string, unknown>>(
    ds,
    `SELECT COUNT(*) AS total,
            COALESCE(SUM(CASE WHEN ${linked} THEN 1 ELSE 0 END), 0) AS already,
            COALESCE(SUM(CASE WHEN ${unlinked} AND r.id IS NOT NULL AND NOT (${orphan}) THEN 1 ELSE 0 END), 0) AS would,
            COALESCE(SUM(CASE WHEN ${unlinked} AND r.id IS NULL THEN 1 ELSE 0 END), 0) AS skipped,
            COALESCE(SUM(CASE WHEN ${unlinked} AND r.id IS NOT NULL AND ${orphan} THEN 1 ELSE 0 END), 0) AS errors
       FROM production_runs pr LEFT JOIN recipes r ON r.id = pr.recipe_id ${snapshots}`,
  );
  const errorCount = Number(row?.errors ?? 0);
  const errors: BackfillError[] = [];
  if (errorCount > 0) {
    const rows = await sql<{ id: number; sid: number }>(
      ds,
      `SELECT pr.id AS id, s.id AS sid FROM production_runs pr JOIN recipes r ON r.id = pr.recipe_id JOIN recipe_snapshots s ON s.production_run_id = pr.id
        WHERE ${unlinked} ORDER BY pr.id LIMIT ${ERROR_LIST_LIMIT}`,
    );
    for (const r of rows) errors.push({ run_id: Number(r.id), error: orphanMessage(Number(r.sid)) });
  }
  return {
    total_runs: Number(row?.total ?? 0),
    already_migrated: Number(row?.already ?? 0),
    migrated: Number(row?.would ?? 0),
    skipped_no_recipe: Number(row?.skipped ?? 0),
    errors,
    error_count: errorCount,
  };
}

export function orphanMessage(snapshotId: number): string {
  return `snapshot ${snapshotId} already exists for this run but production_runs.recipe_snapshot_id is empty; link or delete it by hand (not backfilled, so a duplicate is never created)`;
}

/** The seed's summary block. */
export function formatStats(stats: BackfillStats & { error_count?: number }, dryRun: boolean): string {
  const lines = [
    '='.repeat(60),
    'Migration Summary',
    '='.repeat(60),
    `Total runs processed: ${stats.total_runs}`,
    `Already migrated: ${stats.already_migrated}`,
    `${dryRun ? 'Would migrate' : 'Migrated'}: ${stats.migrated}`,
    `Skipped (no recipe): ${stats.skipped_no_recipe}`,
    `Errors: ${stats.error_count ?? stats.errors.length}`,
  ];
  if (stats.errors.length > 0) {
    lines.push('', 'Errors:');
    for (const e of stats.errors) lines.push(`  Run ${e.run_id}: ${e.error}`);
  }
  if (dryRun) lines.push('', 'DRY RUN - No changes made');
  return lines.join('\n');
}
