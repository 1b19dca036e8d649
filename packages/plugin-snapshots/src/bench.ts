// `pnpm bench`: the set-based, batched backfill vs. the seed's row-by-row ORM loop (ported to TypeORM) on
// the same PostgreSQL data, side by side, plus how the cost grows with the number of runs. Each size is
// generated once into a template database; every measurement runs on a fresh copy of it, after a
// CHECKPOINT, so neither approach inherits the other's dirty pages or a checkpoint half done. The set-based
// backfill runs TIDEMARK_BENCH_REPS times (default 3; its median is compared), the ORM loop once (it takes
// minutes). TIDEMARK_BENCH_1M=1 adds 1,000,000 runs (set-based only; the ORM loop would take the better
// part of an hour there). TIDEMARK_BENCH_SIZES=10000,100000 overrides the sizes.
import { createRunner, type TidemarkEvent } from '@tidemark/core';
import type { DataSource } from 'typeorm';
import { generate } from './bench/generate.js';
import { migrateProductionSnapshotsOrm } from './bench/seed-orm-loop.js';
import { openPostgres } from './connect.js';
import { snapshotsPlugin } from './plugin.js';
import { createPgDatabase } from './test/databases.js';

const NOW = new Date('2026-01-04T12:00:00.000Z');
const NAIVE_MAX = Number(process.env.TIDEMARK_BENCH_NAIVE_MAX ?? 100_000);
const REPS = Math.max(1, Number(process.env.TIDEMARK_BENCH_REPS ?? 3));
const sizes = process.env.TIDEMARK_BENCH_SIZES
  ? process.env.TIDEMARK_BENCH_SIZES.split(',').map(Number)
  : [10_000, 100_000, ...(process.env.TIDEMARK_BENCH_1M ? [1_000_000] : [])];
const BATCH = process.env.TIDEMARK_BENCH_BATCH ? Number(process.env.TIDEMARK_BENCH_BATCH) : undefined;
const CONCURRENCY = process.env.TIDEMARK_BENCH_CONCURRENCY ? Number(process.env.TIDEMARK_BENCH_CONCURRENCY) : undefined;

interface Row {
  runs: number;
  snapshots: number;
  setBasedMs: number[];
  naiveMs?: number;
  identical?: boolean;
}

const out = (s: string) => process.stdout.write(`${s}\n`);
const count = async (ds: DataSource, q: string) => Number(((await ds.query(q)) as { n: unknown }[])[0]?.n ?? 0);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;

/** Flushes every dirty page first, so each timed part starts from the same place (PostgreSQL 15+: pg_checkpoint role or superuser). */
async function checkpoint(ds: DataSource): Promise<void> {
  try {
    await ds.query('CHECKPOINT');
  } catch (error) {
    out(`  (no CHECKPOINT before the timed part: ${error instanceof Error ? error.message : String(error)})`);
  }
}

async function measure(runs: number): Promise<Row> {
  const template = await createPgDatabase('tm_snap_bench_data');
  const copies: { drop(): Promise<void> }[] = [];
  let ds: DataSource | undefined;
  try {
    const seed = await openPostgres(template.url, 2);
    const t0 = performance.now();
    await generate(seed, { runs, recipes: 2000, ingredients: 400, linesPerRecipe: 8 });
    const lines = await count(seed, 'SELECT COUNT(*) AS n FROM recipe_ingredients');
    await seed.destroy();
    out(`  ${runs} runs generated in ${Math.round(performance.now() - t0)} ms (2000 recipes, ${(lines / 2000).toFixed(1)} ingredients each)`);

    const setBasedMs: number[] = [];
    let snapshots = 0;
    let runner: ReturnType<typeof createRunner<DataSource>> | undefined;
    for (let rep = 1; rep <= REPS; rep++) {
      if (ds?.isInitialized) await ds.destroy();
      const copy = await createPgDatabase('tm_snap_bench', template.name);
      copies.push(copy);
      ds = await openPostgres(copy.url, 12);
      const events: TidemarkEvent[] = [];
      runner = createRunner({
        plugin: snapshotsPlugin({ ...(BATCH ? { batchSize: BATCH } : {}), ...(CONCURRENCY ? { concurrency: CONCURRENCY } : {}), clock: () => NOW }),
        target: ds,
        onEvent: (e) => events.push(e),
      });
      await runner.up({ to: '002_add_run_snapshot_link' });
      await checkpoint(ds);
      const t1 = performance.now();
      await runner.up();
      const ms = performance.now() - t1;
      setBasedMs.push(ms);
      const stepMs = (id: string) => {
        const step = events.find((e) => e.type === 'step:finished' && e.migration === id);
        return step?.type === 'step:finished' ? step.durationMs : '?';
      };
      snapshots = await count(ds, 'SELECT COUNT(*) AS n FROM recipe_snapshots');
      out(
        `  set-based #${rep}: ${snapshots} snapshots in ${Math.round(ms)} ms (backfill step with its validator ${stepMs('003_backfill_recipe_snapshots')} ms, foreign keys step ${stepMs('004_add_snapshot_foreign_keys')} ms; the rest: trait queries, ledger, lock)`,
      );
    }
    if (runs > NAIVE_MAX || !ds || !runner) return { runs, snapshots, setBasedMs };

    // The ORM loop runs on the last copy, taken back to the state before the backfill.
    await ds.query(`CREATE TABLE bench_expected AS SELECT production_run_id, recipe_id, scale_factor, snapshot_date, recipe_data::jsonb AS rd, ingredients_data::jsonb AS idata, is_backfilled FROM recipe_snapshots`);
    await runner.down({ to: '002_add_run_snapshot_link' });
    await checkpoint(ds);
    const t2 = performance.now();
    const stats = await migrateProductionSnapshotsOrm(ds, false, () => NOW);
    const naiveMs = performance.now() - t2;
    out(`  seed ORM loop: ${stats.migrated} snapshots in ${Math.round(naiveMs)} ms (skipped ${stats.skipped_no_recipe}, errors ${stats.errors.length})`);
    const diff = await count(
      ds,
      `SELECT COUNT(*) AS n FROM (
         (SELECT production_run_id, recipe_id, scale_factor, snapshot_date, recipe_data::jsonb, ingredients_data::jsonb, is_backfilled FROM recipe_snapshots EXCEPT SELECT * FROM bench_expected)
         UNION ALL
         (SELECT * FROM bench_expected EXCEPT SELECT production_run_id, recipe_id, scale_factor, snapshot_date, recipe_data::jsonb, ingredients_data::jsonb, is_backfilled FROM recipe_snapshots)) d`,
    );
    const linked = await count(ds, 'SELECT COUNT(*) AS n FROM production_runs WHERE recipe_snapshot_id IS NOT NULL');
    return { runs, snapshots, setBasedMs, naiveMs, identical: diff === 0 && linked === snapshots && stats.migrated === snapshots };
  } finally {
    if (ds?.isInitialized) await ds.destroy();
    for (const copy of copies) await copy.drop();
    await template.drop();
  }
}

async function main(): Promise<void> {
  out(
    `plugin-snapshots bench: PostgreSQL, batch size ${BATCH ?? 'default (50,000)'}, concurrency ${CONCURRENCY ?? 'default (2)'}; sizes ${sizes.join(', ')}${process.env.TIDEMARK_BENCH_1M ? '' : ' (1M: set TIDEMARK_BENCH_1M=1)'}; set-based runs ${REPS}x per size`,
  );
  const rows: Row[] = [];
  for (const runs of sizes) {
    out(`\n${runs} production runs`);
    rows.push(await measure(runs));
  }
  out('\n| runs | snapshots | set-based ms (median; min-max) | µs/run | seed ORM loop ms | µs/run | ratio | same rows |');
  out('|---:|---:|---:|---:|---:|---:|---:|:--|');
  for (const r of rows) {
    const per = (ms: number) => ((ms * 1000) / r.runs).toFixed(1);
    const mid = median(r.setBasedMs);
    const spread = r.setBasedMs.length > 1 ? `; ${Math.round(Math.min(...r.setBasedMs))}-${Math.round(Math.max(...r.setBasedMs))}` : '';
    out(
      `| ${r.runs} | ${r.snapshots} | ${Math.round(mid)}${spread} | ${per(mid)} | ${r.naiveMs === undefined ? '—' : Math.round(r.naiveMs)} | ${r.naiveMs === undefined ? '—' : per(r.naiveMs)} | ${r.naiveMs === undefined ? '—' : `${(r.naiveMs / mid).toFixed(1)}x`} | ${r.identical === undefined ? '—' : r.identical ? 'yes' : 'NO'} |`,
    );
  }
  const first = rows[0];
  for (const r of rows.slice(1)) if (first) out(`set-based cost growth ${first.runs} -> ${r.runs} runs (x${r.runs / first.runs}): x${(median(r.setBasedMs) / median(first.setBasedMs)).toFixed(1)}`);
  if (rows.some((r) => r.identical === false)) {
    out('the two approaches produced different rows');
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
