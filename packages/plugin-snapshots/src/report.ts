// The seed's "Migration Summary", printed after a real run (core's report hook: `tidemark up`/`down` print
// it under the run, `tidemark-snapshots` too): the database's counts now, with what this run's backfill
// migrated and the runs it had to skip (from its ledger entry).
import type { DataSource } from 'typeorm';
import type { PluginReport, ReportContext } from '@tidemark/core';
import type { FailedRun } from './cursor.js';
import { typeormLedger } from './ledger.js';
import { BACKFILL_ID } from './migrations/003_backfill_recipe_snapshots.js';
import { backfillStats, formatStats, type BackfillStats } from './stats.js';

export interface SummaryData extends BackfillStats {
  error_count: number;
}

export async function migrationSummary(
  ds: DataSource,
  context: ReportContext,
  ledgerPrefix?: string,
): Promise<PluginReport> {
  const stats = await backfillStats(ds);
  const entry = (await typeormLedger(ds, { prefix: ledgerPrefix }).read()).find((e) => e.id === BACKFILL_ID);
  // This run's backfill: applied by it, or the failed entry of the run that just failed.
  const ran =
    context.command === 'up' &&
    entry !== undefined &&
    (context.result ? context.result.applied.includes(BACKFILL_ID) : entry.outcome === 'failed');
  const data = (ran ? entry.data : undefined) as { migrated?: number; failed_runs?: FailedRun[] } | undefined;
  const migrated = Number(data?.migrated ?? 0);
  const failed = data?.failed_runs ?? [];
  const summary: SummaryData = {
    total_runs: stats.total_runs,
    already_migrated: stats.already_migrated - migrated,
    migrated,
    skipped_no_recipe: stats.skipped_no_recipe,
    errors: [...failed.map((f) => ({ run_id: f.run_id, error: f.reason })), ...stats.errors],
    error_count: failed.length + stats.error_count,
  };
  return { text: formatStats(summary, false), data: summary };
}
