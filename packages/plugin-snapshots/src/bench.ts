// `pnpm bench`: the set-based, batched backfill vs. the seed's row-by-row ORM loop (ported to TypeORM) and
// vs. the limit (one hand-written INSERT ... SELECT + UPDATE of the whole backfill in one transaction) on
// the same PostgreSQL data, side by side, plus how the cost grows with the number of runs. Each size is
// generated once into a template database; every measurement runs on a fresh copy of it, after a
// CHECKPOINT, so neither approach inherits the other's dirty pages or a checkpoint half done. The set-based
// backfill runs TIDEMARK_BENCH_REPS times (default 3; its median is compared), the ORM loop once (it takes
// minutes). TIDEMARK_BENCH_1M=1 adds 1,000,000 runs (set-based only; the ORM loop would take the better
// part of an hour there). TIDEMARK_BENCH_SIZES=10000,100000 overrides the sizes.
import { createRunner, type TidemarkEvent } from '@tidemark/core';
import type { DataSource } from 'typeorm';
import { generate } from './bench/generate.js';
import { handWrittenBackfill } from './bench/hand-written-limit.js';
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
  /** The backfill step alone (003 with its validator), per set-based run. */
  stepMs: number[];
  limitMs: number[];
  /** The limit wrote the same rows as the plugin. */
  limitSame: boolean;
  naiveMs?: number;
  identical?: boolean;
}

const out = (s: string) => process.stdout.write(`${s}\n`);
const count = async (ds: DataSource, q: string) => Number(((await ds.query(q)) as { n: unknown }[])[0]?.n ?? 0);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
/** A fingerprint of every snapshot and link (JSON compared as jsonb, so key spacing does not count). */
const rowsHash = async (ds: DataSource) =>
  String(
    ((await ds.query(
      `SELECT md5(string_agg(concat_ws('|', s.production_run_id, s.recipe_id, s.scale_factor, s.snapshot_date, s.recipe_data::jsonb, s.ingredients_data::jsonb, s.is_backfilled, pr.id), ',' ORDER BY s.production_run_id)) AS h
         FROM recipe_snapshots s LEFT JOIN production_runs pr ON pr.recipe_snapshot_id = s.id`,
    )) as { h: unknown }[])[0]?.h,
  );

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
    const backfillStepMs: number[] = [];
    let snapshots = 0;
    let pluginHash = '';
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
      const step = stepMs('003_backfill_recipe_snapshots');
      if (typeof step === 'number') backfillStepMs.push(step);
      pluginHash = await rowsHash(ds);
      out(
        `  set-based #${rep}: ${snapshots} snapshots in ${Math.round(ms)} ms (backfill step with its validator ${stepMs('003_backfill_recipe_snapshots')} ms, foreign keys step ${stepMs('004_add_snapshot_foreign_keys')} ms; the rest: trait queries, ledger, lock)`,
      );
    }

    // The limit, on fresh copies too: the schema through the plugin, then the one hand-written transaction.
    const limitMs: number[] = [];
    let limitSame = true;
    for (let rep = 1; rep <= REPS; rep++) {
      const copy = await createPgDatabase('tm_snap_bench', template.name);
      copies.push(copy);
      const lds = await openPostgres(copy.url, 2);
      try {
        await createRunner({ plugin: snapshotsPlugin({ clock: () => NOW }), target: lds }).up({ to: '002_add_run_snapshot_link' });
        await checkpoint(lds);
        const t = performance.now();
        await handWrittenBackfill(lds, NOW);
        const ms = performance.now() - t;
        limitMs.push(ms);
        const same = (await rowsHash(lds)) === pluginHash;
        limitSame &&= same;
        out(`  hand-written limit #${rep}: ${await count(lds, 'SELECT COUNT(*) AS n FROM recipe_snapshots')} snapshots in ${Math.round(ms)} ms (one INSERT ... SELECT + one UPDATE, one transaction; same rows as the plugin: ${same ? 'yes' : 'NO'})`);
      } finally {
        await lds.destroy();
        await copy.drop();
        copies.pop();
      }
    }
    if (runs > NAIVE_MAX || !ds || !runner) return { runs, snapshots, setBasedMs, stepMs: backfillStepMs, limitMs, limitSame };

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
    return { runs, snapshots, setBasedMs, stepMs: backfillStepMs, limitMs, limitSame, naiveMs, identical: diff === 0 && linked === snapshots && stats.migrated === snapshots };
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
  out('\nplugin = the whole `up` of 003 + 004 (backfill, validator, foreign keys, trait queries, ledger, lock); its backfill step alone in brackets.');
  out('limit = one hand-written INSERT ... SELECT + UPDATE of the whole backfill in one transaction (no batches, no resume, no foreign keys).');
  out('\n| runs | snapshots | plugin ms (median; min-max) [003 step] | limit ms (median; min-max) | seed ORM loop ms | plugin / limit [003 step / limit] | ORM loop / plugin | same rows |');
  out('|---:|---:|---:|---:|---:|---:|---:|:--|');
  for (const r of rows) {
    const spread = (xs: number[]) => (xs.length > 1 ? `; ${Math.round(Math.min(...xs))}-${Math.round(Math.max(...xs))}` : '');
    const mid = median(r.setBasedMs);
    const limit = median(r.limitMs);
    const step = r.stepMs.length > 0 ? median(r.stepMs) : undefined;
    const same = r.limitSame && r.identical !== false ? 'yes' : 'NO';
    out(
      `| ${r.runs} | ${r.snapshots} | ${Math.round(mid)}${spread(r.setBasedMs)} [${step === undefined ? '?' : Math.round(step)}] | ${Math.round(limit)}${spread(r.limitMs)} | ${r.naiveMs === undefined ? '—' : Math.round(r.naiveMs)} | ${(mid / limit).toFixed(2)}x [${step === undefined ? '?' : (step / limit).toFixed(2)}x] | ${r.naiveMs === undefined ? '—' : `${(r.naiveMs / mid).toFixed(1)}x`} | ${same} |`,
    );
  }
  const first = rows[0];
  for (const r of rows.slice(1)) if (first) out(`set-based cost growth ${first.runs} -> ${r.runs} runs (x${r.runs / first.runs}): x${(median(r.setBasedMs) / median(first.setBasedMs)).toFixed(1)}`);
  if (rows.some((r) => r.identical === false || !r.limitSame)) {
    out('the approaches produced different rows');
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
