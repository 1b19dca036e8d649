import type { DataSource } from 'typeorm';
import { defineMigration, describeError, type MigrationContext } from '@tidemark/core';
import { BULK_READ_SETTINGS, leftAlone, batchStatements, revertStatements, windowEnd, type BatchStatements } from '../backfill-sql.js';
import { clipWindow, mergeBatch, START, type BackfillCursor, type FailedRun, type RunWindow } from '../cursor.js';
import { isolable, split } from '../isolate.js';
import { dialectOf, timestampParam, type Dialect } from '../dialect.js';
import type { ResolvedOptions } from '../options.js';
import { orphanMessage } from '../stats.js';
import { currentRunner, inTransaction, sql } from '../transaction.js';

export const BACKFILL_ID = '003_backfill_recipe_snapshots';

const MIN_SHARE = 5000;

export function backfillMigration(options: ResolvedOptions) {
  return defineMigration<DataSource>({
    id: BACKFILL_ID,
    title: 'Backfill recipe snapshots for existing production runs (is_backfilled = true)',
    requires: ['002_add_run_snapshot_link'],
    up: (ctx) => backfill(ctx, options),
    async down(ctx) {
      const ds = ctx.target;
      await inTransaction(ds, async () => {
        for (const statement of revertStatements(dialectOf(ds))) await sql(ds, statement);
      });
      await ctx.checkpoint.clear();
    },
    async validate(ctx) {
      const ds = ctx.target;
      const postgres = dialectOf(ds) === 'postgres';
      const yes = postgres ? 'true' : '1';
      // One pass over the runs for all three checks (each used to be its own join over the snapshots).
      // s: the snapshot taken for the run (production_run_id is unique). A run linking any other snapshot
      // links one taken for another run; that snapshot is looked up by id only for such runs (a second
      // join scanned the whole, wide snapshot table again: 0.7 s -> 0.4 s at 100,000 runs).
      // The settings for a read of the whole, just backfilled snapshot table, for this transaction only.
      const [row] = await inTransaction(ds, async () => {
        if (postgres) for (const setting of BULK_READ_SETTINGS) await sql(ds, setting);
        return sql<Record<string, unknown>>(
          ds,
          `SELECT COALESCE(SUM(CASE WHEN pr.recipe_snapshot_id IS NULL AND r.id IS NOT NULL AND s.id IS NULL THEN 1 ELSE 0 END), 0) AS missing,
                  COALESCE(SUM(CASE WHEN pr.recipe_snapshot_id IS NOT NULL AND (s.id IS NULL OR s.id <> pr.recipe_snapshot_id)
                                     AND EXISTS (SELECT 1 FROM recipe_snapshots l WHERE l.id = pr.recipe_snapshot_id) THEN 1 ELSE 0 END), 0) AS crossed,
                  COALESCE(SUM(CASE WHEN s.is_backfilled = ${yes} AND (pr.recipe_snapshot_id IS NULL OR pr.recipe_snapshot_id <> s.id) THEN 1 ELSE 0 END), 0) AS unlinked
             FROM production_runs pr
             LEFT JOIN recipes r ON r.id = pr.recipe_id
             LEFT JOIN recipe_snapshots s ON s.production_run_id = pr.id`,
        );
      });
      const [missing, crossed, unlinked] = ['missing', 'crossed', 'unlinked'].map((k) => Number(row?.[k] ?? 0)) as [number, number, number];
      const issues = [];
      if (missing > 0) issues.push({ message: `${missing} run(s) with an existing recipe still have no snapshot`, where: 'production_runs.recipe_snapshot_id' });
      if (crossed > 0) issues.push({ message: `${crossed} run(s) link a snapshot taken for another run`, where: 'production_runs.recipe_snapshot_id' });
      if (unlinked > 0) issues.push({ message: `${unlinked} backfilled snapshot(s) are not linked from their run`, where: 'recipe_snapshots' });
      return issues;
    },
  });
}

async function backfill(ctx: MigrationContext<DataSource>, options: ResolvedOptions): Promise<void> {
  const ds = ctx.target;
  const dialect = dialectOf(ds);
  const statements = batchStatements(dialect, options.batchSize);
  const resumed = (await ctx.checkpoint.load<BackfillCursor>()) ?? START;
  if (resumed.batches > 0) ctx.log(`resuming after production run ${resumed.after} (${resumed.batches} batch(es) already committed)`, { ...resumed });
  if (statements.prepare) await sql(ds, statements.prepare);
  const total = Number((await sql<{ n: unknown }>(ds, 'SELECT COUNT(*) AS n FROM production_runs'))[0]?.n ?? 0);
  // Concurrent batches need a connection each: PostgreSQL, and no run-wide transaction open in this chain.
  const lanes = dialect === 'postgres' && !currentRunner(ds) ? options.concurrency : 1;
  // Splitting a refused batch needs batches that commit on their own; a run-wide transaction fails whole.
  const isolation = options.maxFailedRuns > 0 && !currentRunner(ds) ? { failed: 0 } : null;
  // With several lanes, a window is at most an even share of what is left, so a backfill smaller than
  // lanes x batchSize still keeps every lane busy; but never under MIN_SHARE runs, as each batch aggregates
  // the recipe JSON again (a few thousand runs are one batch, as with one lane).
  const size = lanes > 1 ? Math.min(options.batchSize, Math.max(MIN_SHARE, Math.ceil((total - resumed.seen) / lanes))) : options.batchSize;

  let latest = resumed;
  let nextLo = resumed.after;
  let failure: { error: unknown } | undefined;
  let stopped = false;
  // Windows are handed out one at a time, in id order (each lane awaits the query that finds its end).
  let handing: Promise<unknown> = Promise.resolve();
  const nextWindow = (): Promise<(RunWindow & { n: number }) | null> => {
    const next = handing.then(async () => {
      for (;;) {
        const [row] = await sql<{ hi: unknown; n: unknown }>(ds, windowEnd(dialect), [nextLo, size]);
        if (row?.hi === null || row?.hi === undefined) return null;
        const clipped = clipWindow(resumed.ahead ?? [], nextLo, Number(row.hi));
        if ('skipTo' in clipped) {
          nextLo = clipped.skipTo;
          continue;
        }
        const n = clipped.hi === Number(row.hi) ? Number(row.n) : await countRuns(ds, dialect, clipped);
        nextLo = clipped.hi;
        return { ...clipped, n };
      }
    });
    handing = next.catch(() => undefined);
    return next;
  };

  const lane = async () => {
    while (!failure) {
      if (ctx.signal.aborted) {
        stopped = true;
        return;
      }
      const window = await nextWindow();
      if (!window) return;
      const { cursor, left } = await runIsolated(ctx, options, statements, window, lanes > 1, isolation);
      reportLeftAlone(ctx, left);
      // One progress event per committed batch, never going back: two lanes may report in another order
      // than they merged into the cursor.
      if (cursor.batches > latest.batches) latest = cursor;
      ctx.progress(latest.seen, total, `${latest.migrated} migrated, ${latest.skipped} skipped, ${latest.errors} error(s)`);
      if (options.throttleMs > 0) await pause(options.throttleMs, ctx.signal);
    }
  };
  await Promise.all(
    Array.from({ length: lanes }, () =>
      lane().catch((error: unknown) => {
        failure ??= { error };
      }),
    ),
  );
  if (failure) throw failure.error;
  if (stopped) throw new Error(`stopped after production run ${latest.after}; the next run resumes there`);
  const final = (await ctx.checkpoint.load<BackfillCursor>()) ?? latest;
  const failed = final.failed ?? [];
  ctx.record({ migrated: final.migrated, skipped: final.skipped, errors: final.errors, seen: final.seen });
  if (failed.length > 0) {
    ctx.record({ failed_runs: failed });
    // The next up must look at these runs again: only unlinked runs are ever taken, so starting over costs
    // a read of the windows, never a duplicate.
    await ctx.checkpoint.clear();
    const shown = failed.slice(0, 10).map((f) => `run ${f.run_id}: ${f.reason}`).join('; ');
    throw new Error(
      `${failed.length} production run(s) failed and were skipped, every other run is committed (${final.migrated} migrated): ${shown}${failed.length > 10 ? '; ...' : ''}. Fix them and run up again: it only takes the runs still unlinked`,
    );
  }
  ctx.log(`backfilled ${latest.migrated} snapshot(s); skipped ${latest.skipped} run(s) without recipe; ${latest.errors} error(s)`, { ...latest });
}

/**
 * A window, and when the database refuses it for its data, its halves, down to the runs that fail: those
 * are saved in the cursor (run id, reason) and skipped, so every other run commits.
 */
async function runIsolated(
  ctx: MigrationContext<DataSource>,
  options: ResolvedOptions,
  statements: BatchStatements,
  window: RunWindow & { n: number },
  concurrent: boolean,
  isolation: { failed: number } | null,
): Promise<{ cursor: BackfillCursor; left: LeftAlone[] }> {
  try {
    return await runBatch(ctx, options, statements, window, concurrent);
  } catch (error) {
    if (!isolation || ctx.signal.aborted || !isolable(error)) throw error;
    const ds = ctx.target;
    const parts = await split(ds, dialectOf(ds), window);
    if ('empty' in parts) throw error;
    if ('run' in parts) {
      const failure: FailedRun = { run_id: parts.run, reason: describeError(error) };
      isolation.failed += 1;
      if (isolation.failed > options.maxFailedRuns) {
        throw new Error(`more than ${options.maxFailedRuns} production run(s) failed (maxFailedRuns); stopped at run ${failure.run_id}: ${failure.reason}`);
      }
      ctx.warn(`ERROR: run ${failure.run_id}: ${failure.reason} (skipped; the rest of its batch commits)`, { ...failure });
      return { cursor: await saveFailed(ctx, options, window, failure, concurrent), left: [] };
    }
    ctx.log(`a batch of ${window.n} run(s) after run ${window.lo} failed (${describeError(error)}); splitting it to find the runs that fail`);
    const first = await runIsolated(ctx, options, statements, parts.halves[0], concurrent, isolation);
    const second = await runIsolated(ctx, options, statements, parts.halves[1], concurrent, isolation);
    return { cursor: second.cursor, left: [...first.left, ...second.left] };
  }
}

/** A window of one failed run: counted as seen and as an error, saved in the cursor, nothing else written. */
async function saveFailed(ctx: MigrationContext<DataSource>, options: ResolvedOptions, window: RunWindow, failure: FailedRun, concurrent: boolean): Promise<BackfillCursor> {
  const ds = ctx.target;
  return inTransaction(ds, async () => {
    if (concurrent) await sql(ds, 'SELECT pg_advisory_xact_lock(hashtext(current_schema() || $1))', [`:${options.ledgerPrefix}:${BACKFILL_ID}`]);
    const current = (await ctx.checkpoint.load<BackfillCursor>()) ?? START;
    const cursor = mergeBatch(current, window, { seen: 1, migrated: 0, skipped: 0, errors: 1, failed: [failure] });
    await ctx.checkpoint.save(cursor);
    return cursor;
  });
}

/** One window in one transaction: its snapshots, its links, and the cursor with it. */
async function runBatch(
  ctx: MigrationContext<DataSource>,
  options: ResolvedOptions,
  statements: BatchStatements,
  window: RunWindow & { n: number },
  concurrent: boolean,
): Promise<{ cursor: BackfillCursor; left: LeftAlone[] }> {
  const ds = ctx.target;
  const dialect = dialectOf(ds);
  const { lo, hi } = window;
  return inTransaction(ds, async () => {
    for (const statement of statements.setup ?? []) await sql(ds, statement);
    const now = timestampParam(dialect, options.clock());
    let migrated: number;
    let left: LeftAlone[];
    if (dialect === 'postgres') {
      const rows = await sql<{ kind: string } & LeftAlone>(ds, statements.insert, [lo, hi, now]);
      migrated = Number(rows.find((r) => r.kind === 'migrated')?.run_id ?? 0);
      left = rows
        .filter((r) => r.kind !== 'migrated')
        .map((r) => ({ run_id: r.run_id, recipe_id: r.recipe_id, found: r.kind === 'skipped' ? null : r.recipe_id, snapshot_id: r.snapshot_id }))
        .sort((a, b) => Number(a.run_id) - Number(b.run_id));
    } else {
      left = await sql<LeftAlone>(ds, leftAlone(dialect), [lo, hi]);
      const before = Number((await sql<{ m: unknown }>(ds, 'SELECT COALESCE(MAX(id), 0) AS m FROM recipe_snapshots'))[0]?.m ?? 0);
      await sql(ds, statements.insert, [lo, hi, now]);
      await sql(ds, statements.link!, [lo, hi, before]);
      migrated = Number((await sql<{ n: unknown }>(ds, 'SELECT COUNT(*) AS n FROM recipe_snapshots WHERE id > ?', [before]))[0]?.n ?? 0);
    }
    const skipped = left.filter((r) => r.found === null).length;
    // Concurrent batches merge into the one saved cursor: a transaction-scoped lock, taken after the batch's
    // own writes (which never overlap another batch's), makes the read-merge-write of the cursor see the
    // other batch's committed cursor instead of overwriting it.
    if (concurrent) await sql(ds, 'SELECT pg_advisory_xact_lock(hashtext(current_schema() || $1))', [`:${options.ledgerPrefix}:${BACKFILL_ID}`]);
    const current = (await ctx.checkpoint.load<BackfillCursor>()) ?? START;
    const cursor = mergeBatch(current, window, { seen: window.n, migrated, skipped, errors: left.length - skipped });
    await ctx.checkpoint.save(cursor);
    return { cursor, left };
  });
}

async function countRuns(ds: DataSource, dialect: Dialect, window: RunWindow): Promise<number> {
  const [lo, hi] = dialect === 'postgres' ? ['$1', '$2'] : ['?1', '?2'];
  return Number((await sql<{ n: unknown }>(ds, `SELECT COUNT(*) AS n FROM production_runs WHERE id > ${lo} AND id <= ${hi}`, [window.lo, window.hi]))[0]?.n ?? 0);
}

interface LeftAlone {
  run_id: unknown;
  recipe_id: unknown;
  /** null: the recipe was deleted (skipped); otherwise the run already has an unlinked snapshot (error). */
  found: unknown;
  snapshot_id: unknown;
}

function reportLeftAlone(ctx: MigrationContext<DataSource>, rows: LeftAlone[]) {
  const skipped = rows.filter((r) => r.found === null).map((r) => ({ run_id: Number(r.run_id), recipe_id: r.recipe_id === null ? null : Number(r.recipe_id) }));
  if (skipped.length > 0) {
    const shown = skipped.slice(0, 10).map((r) => `run ${r.run_id} (recipe ${r.recipe_id ?? 'none'})`).join(', ');
    ctx.warn(`SKIP: ${skipped.length} production run(s) whose recipe was deleted: ${shown}${skipped.length > 10 ? ', ...' : ''}`, { skipped });
  }
  for (const r of rows.filter((row) => row.found !== null)) {
    ctx.warn(`ERROR: run ${Number(r.run_id)}: ${orphanMessage(Number(r.snapshot_id))}`, { run_id: Number(r.run_id), snapshot_id: Number(r.snapshot_id) });
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
