// `pnpm --filter @tidemark/plugin-snapshots demo`: the seed's T017 walk-through on sql.js (or DATABASE_URL,
// which must name an EMPTY PostgreSQL database): load sample data, dry-run stats, up, verify, down, up.
import { consoleSink, createRunner, redact } from '@tidemark/core';
import type { DataSource } from 'typeorm';
import { openPostgres, openSqljs } from './connect.js';
import { snapshotsPlugin, describeDataSource } from './plugin.js';
import { loadSampleData } from './sample-data.js';
import { hasTable } from './inspect.js';
import { loadState, readState } from './state.js';
import { backfillStats, formatStats, type BackfillStats } from './stats.js';

const out = (s = '') => process.stdout.write(`${s}\n`);
const title = (s: string) => out(`\n${'='.repeat(60)}\n${s}\n${'='.repeat(60)}`);

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  const ds: DataSource = url ? await openPostgres(url) : await openSqljs();
  try {
    title(`Recipe Snapshot Migration — demo on ${describeDataSource(ds)}`);
    if (await hasTable(ds, 'production_runs'))
      throw new Error(`${redact(url ?? '')} already has a production_runs table; the demo needs an empty database`);
    const sample = await loadSampleData();
    await loadState(ds, sample);
    out(
      `Loaded test_data/sample_data.json: ${sample.recipes.length} recipes, ${sample.ingredients.length} ingredients, ${sample.production_runs.length} production runs`,
    );

    const sink = consoleSink({ stream: process.stdout });
    let done: Record<string, unknown> = {};
    const runner = createRunner({
      plugin: snapshotsPlugin({ batchSize: 4 }),
      target: ds,
      onEvent: (e) => {
        sink(e);
        if (e.type === 'log' && e.message.startsWith('backfilled') && e.data) done = e.data;
      },
    });
    const summary = (before: BackfillStats) =>
      formatStats(
        {
          ...before,
          migrated: Number(done.migrated ?? 0),
          skipped_no_recipe: Number(done.skipped ?? 0),
          errors: [],
          error_count: Number(done.errors ?? 0),
        },
        false,
      );

    title('1. Dry run (nothing is changed)');
    await runner.up({ dryRun: true });
    const dry = await backfillStats(ds);
    out(formatStats(dry, true));

    title('2. up');
    await runner.up();
    out(summary(dry));

    title('3. verify');
    const report = await runner.verify();
    out(
      `verify: ${report.ok ? 'ok' : 'FAILED'} (${report.validation.length} validation issue(s), ${report.plan.steps.length} pending step(s))`,
    );
    const state = await readState(ds);
    const snapshots = state.recipe_snapshots ?? [];
    const unmigrated = state.production_runs.filter((r) => r.recipe_snapshot_id === null);
    out(
      `snapshots: ${snapshots.length}, all is_backfilled: ${snapshots.every((s) => s.is_backfilled)}; runs without snapshot: ${unmigrated.map((r) => `${r.id} (recipe ${r.recipe_id} deleted)`).join(', ')}`,
    );
    const first = snapshots[0];
    if (first)
      out(
        `snapshot ${first.id} of run ${first.production_run_id}: ${JSON.stringify(first.recipe_data)}\n  ingredients: ${JSON.stringify(first.ingredients_data).slice(0, 240)}...`,
      );
    if (!report.ok) process.exitCode = 1;

    title('4. down (backfilled snapshots and the schema go; nothing else changes)');
    await runner.down({ to: null });
    const back = await readState(ds);
    out(
      `recipe_snapshots table present: ${back.recipe_snapshots !== undefined}; production_runs.recipe_snapshot_id present: ${!!back.run_link}`,
    );

    title('5. up again (idempotent path back)');
    const beforeAgain = await backfillStats(ds);
    await runner.up();
    out(summary(beforeAgain));
    const again = await runner.verify();
    out(`verify: ${again.ok ? 'ok' : 'FAILED'}`);
    const third = await runner.up();
    out(`a third up: ${third.outcome}`);
    if (!again.ok) process.exitCode = 1;
  } finally {
    await ds.destroy();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${redact(error instanceof Error ? (error.stack ?? error.message) : String(error))}\n`);
  process.exitCode = 1;
});
