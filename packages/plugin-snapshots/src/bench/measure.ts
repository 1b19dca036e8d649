// One size of the bench: the resumable plugin and the hand-written limit in alternating rounds (each on a
// fresh copy of one template database, after a CHECKPOINT), so a load that comes and goes on a shared
// machine falls on both alike; then the seed's ORM loop on a sample of the runs, extrapolated to all of them.
// Returns what was measured and whether all three wrote the same rows; printing is bench.ts's.
import { createRunner, type TidemarkEvent } from '@tidemark/core';
import type { DataSource } from 'typeorm';
import { openPostgres } from '../connect.js';
import { BACKFILL_ID } from '../migrations/003_backfill_recipe_snapshots.js';
import { snapshotsPlugin } from '../plugin.js';
import { createPgDatabase } from '../test/databases.js';
import { cpuBetween, readCpu } from './cpu.js';
import { generate, type BenchShape } from './generate.js';
import { handWrittenBackfill } from './hand-written-limit.js';
import { migrateProductionSnapshotsOrm } from './seed-orm-loop.js';

export const NOW = new Date('2026-01-04T12:00:00.000Z');

export interface MeasureOptions {
  runs: number;
  /** Plugin and limit alternate this many times each (the order flips every round). */
  rounds: number;
  /** Runs the ORM loop is timed on (the first ones by id); all of them when `runs` is not larger. 0: no ORM loop. */
  ormSample: number;
  shape?: Omit<BenchShape, 'runs'>;
  batchSize?: number;
  concurrency?: number;
  log?: (line: string) => void;
}

export interface OrmSample {
  /** Runs the loop looked at, and the runs it would look at in a full run. */
  sampled: number;
  total: number;
  ms: number;
  /** `ms` scaled to `total` runs (equal to `ms` when the whole was run). */
  extrapolatedMs: number;
  migrated: number;
  /** Its snapshots and links are the plugin's, for the sampled runs. */
  same: boolean;
  /** CPU time of the sample (this process and its database session), and scaled like `ms`. */
  cpuMs?: number;
  extrapolatedCpuMs?: number;
}

export interface SizeResult {
  runs: number;
  snapshots: number;
  /** Runs linked to their snapshot after the plugin. */
  linked: number;
  /** `up` through 003: plan, lock, ledger, the batches with their cursor, the validator. */
  pluginMs: number[];
  /** 004 (the foreign keys) after it: not part of the backfill, which the limit does not do either. */
  foreignKeysMs: number[];
  limitMs: number[];
  /** CPU time (this process and the database's sessions) of each timed part; empty when /proc cannot tell. */
  pluginCpuMs: number[];
  limitCpuMs: number[];
  /** Every limit round wrote the plugin's rows; every plugin round wrote the same rows. */
  limitSame: boolean;
  pluginStable: boolean;
  orm?: OrmSample;
}

const count = async (ds: DataSource, q: string, params: unknown[] = []) =>
  Number(((await ds.query(q, params)) as { n: unknown }[])[0]?.n ?? 0);

/**
 * A fingerprint of every snapshot and its link (JSON compared as jsonb, so key spacing does not count), for
 * the runs up to `upTo`. An md5 per row first: one string of every row passes PostgreSQL's 1 GB limit at 1M runs.
 */
async function rowsHash(ds: DataSource, upTo = 2_147_483_647): Promise<string> {
  const [row] = (await ds.query(
    `SELECT md5(string_agg(md5(concat_ws('|', s.production_run_id, s.recipe_id, s.scale_factor, s.snapshot_date, s.recipe_data::jsonb, s.ingredients_data::jsonb, s.is_backfilled, pr.id)), ',' ORDER BY s.production_run_id)) AS h
       FROM recipe_snapshots s LEFT JOIN production_runs pr ON pr.recipe_snapshot_id = s.id
      WHERE s.production_run_id <= $1`,
    [upTo],
  )) as { h: unknown }[];
  return String(row?.h);
}

/** Flushes every dirty page first, so each timed part starts from the same place (pg_checkpoint role or superuser). */
async function checkpoint(ds: DataSource, log: (line: string) => void): Promise<void> {
  try {
    await ds.query('CHECKPOINT');
  } catch (error) {
    log(`  (no CHECKPOINT before the timed part: ${error instanceof Error ? error.message : String(error)})`);
  }
}

/** A fresh copy of the template, through 002 (the schema the backfill needs), checkpointed; dropped after `use`. */
async function onCopy<T>(
  template: string,
  poolSize: number,
  log: (line: string) => void,
  use: (ds: DataSource) => Promise<T>,
): Promise<T> {
  const copy = await createPgDatabase('tm_snap_bench', template);
  try {
    const ds = await openPostgres(copy.url, poolSize);
    try {
      await createRunner({ plugin: snapshotsPlugin({ clock: () => NOW }), target: ds }).up({
        to: '002_add_run_snapshot_link',
      });
      await checkpoint(ds, log);
      return await use(ds);
    } finally {
      await ds.destroy();
    }
  } finally {
    await copy.drop();
  }
}

export async function measureSize(options: MeasureOptions): Promise<SizeResult> {
  const log = options.log ?? (() => undefined);
  const { runs } = options;
  const shape = options.shape ?? { recipes: 2000, ingredients: 400, linesPerRecipe: 8 };
  const template = await createPgDatabase('tm_snap_bench_data');
  try {
    const seed = await openPostgres(template.url, 2);
    const t0 = performance.now();
    // The ORM loop's sample: the first runs by id, up to this one (every run is unlinked before the backfill).
    let bound: number;
    try {
      await generate(seed, { runs, ...shape });
      bound = await count(
        seed,
        'SELECT COALESCE(MAX(id), 0) AS n FROM (SELECT id FROM production_runs ORDER BY id LIMIT $1) s',
        [options.ormSample],
      );
    } finally {
      await seed.destroy();
    }
    log(
      `  ${runs} runs generated in ${Math.round(performance.now() - t0)} ms (${shape.recipes} recipes, ~${shape.linesPerRecipe} ingredients each)`,
    );

    const result: SizeResult = {
      runs,
      snapshots: 0,
      linked: 0,
      pluginMs: [],
      foreignKeysMs: [],
      limitMs: [],
      pluginCpuMs: [],
      limitCpuMs: [],
      limitSame: true,
      pluginStable: true,
    };
    let pluginHash: string | undefined;
    let sampleHash: string | undefined;
    const plugin = () =>
      onCopy(template.name, 12, log, async (ds) => {
        const events: TidemarkEvent[] = [];
        const runner = createRunner({
          plugin: snapshotsPlugin({
            ...(options.batchSize ? { batchSize: options.batchSize } : {}),
            ...(options.concurrency ? { concurrency: options.concurrency } : {}),
            clock: () => NOW,
          }),
          target: ds,
          onEvent: (e) => events.push(e),
        });
        const cpu0 = await readCpu(ds);
        const t = performance.now();
        await runner.up({ to: BACKFILL_ID });
        const ms = performance.now() - t;
        const cpu = cpuBetween(cpu0, await readCpu(ds));
        if (cpu !== undefined) result.pluginCpuMs.push(cpu);
        const t4 = performance.now();
        await runner.up();
        const fk = performance.now() - t4;
        result.pluginMs.push(ms);
        result.foreignKeysMs.push(fk);
        result.snapshots = await count(ds, 'SELECT COUNT(*) AS n FROM recipe_snapshots');
        result.linked = await count(
          ds,
          'SELECT COUNT(*) AS n FROM production_runs WHERE recipe_snapshot_id IS NOT NULL',
        );
        const hash = await rowsHash(ds);
        result.pluginStable &&= pluginHash === undefined || pluginHash === hash;
        pluginHash ??= hash;
        if (options.ormSample > 0) sampleHash ??= await rowsHash(ds, bound);
        const batches = events.filter((e) => e.type === 'step:progress').length;
        log(
          `  plugin: ${result.snapshots} snapshots in ${Math.round(ms)} ms${cpu === undefined ? '' : `, CPU ${Math.round(cpu)} ms`} (${batches} batch(es); then 004's foreign keys ${Math.round(fk)} ms)`,
        );
      });
    const limit = () =>
      onCopy(template.name, 2, log, async (ds) => {
        const cpu0 = await readCpu(ds);
        const t = performance.now();
        await handWrittenBackfill(ds, NOW);
        const ms = performance.now() - t;
        const cpu = cpuBetween(cpu0, await readCpu(ds));
        result.limitMs.push(ms);
        if (cpu !== undefined) result.limitCpuMs.push(cpu);
        // The plugin always ran first in round 1, so its rows are there to compare with.
        const same = (await rowsHash(ds)) === pluginHash;
        result.limitSame &&= same;
        log(
          `  limit:  ${await count(ds, 'SELECT COUNT(*) AS n FROM recipe_snapshots')} snapshots in ${Math.round(ms)} ms${cpu === undefined ? '' : `, CPU ${Math.round(cpu)} ms`} (same rows as the plugin: ${same ? 'yes' : 'NO'})`,
        );
      });
    for (let round = 1; round <= options.rounds; round++) {
      // ABBA: the order flips every round, so neither side always runs on the warmer (or busier) machine.
      if (round % 2 === 1) {
        await plugin();
        await limit();
      } else {
        await limit();
        await plugin();
      }
    }

    if (options.ormSample > 0) {
      result.orm = await onCopy(template.name, 2, log, async (ds) => {
        const total = await count(ds, 'SELECT COUNT(*) AS n FROM production_runs WHERE recipe_snapshot_id IS NULL');
        const sampled = Math.min(options.ormSample, total);
        const cpu0 = await readCpu(ds);
        const t = performance.now();
        const stats = await migrateProductionSnapshotsOrm(ds, false, () => NOW, sampled < total ? sampled : undefined);
        const ms = performance.now() - t;
        const cpu = cpuBetween(cpu0, await readCpu(ds));
        // Compared with the plugin's rows for the same runs (hashed in its first round).
        const same =
          stats.errors.length === 0 && sampleHash !== undefined && (await rowsHash(ds, bound)) === sampleHash;
        const orm: OrmSample = {
          sampled,
          total,
          ms,
          extrapolatedMs: (ms * total) / sampled,
          migrated: stats.migrated,
          same,
          ...(cpu === undefined ? {} : { cpuMs: cpu, extrapolatedCpuMs: (cpu * total) / sampled }),
        };
        log(
          `  seed ORM loop: ${stats.migrated} snapshots for ${sampled} of ${total} runs in ${Math.round(ms)} ms${sampled < total ? ` (a sample: ${(ms / sampled).toFixed(3)} ms/run, extrapolated to all ${total} runs: ${Math.round(orm.extrapolatedMs)} ms)` : ''}${cpu === undefined ? '' : `, CPU ${Math.round(cpu)} ms`}; same rows as the plugin: ${same ? 'yes' : 'NO'}`,
        );
        return orm;
      });
    }
    return result;
  } finally {
    await template.drop();
  }
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
