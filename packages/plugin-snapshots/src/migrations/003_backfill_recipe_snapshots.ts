import type { DataSource } from 'typeorm';
import { defineMigration, type MigrationContext } from '@tidemark/core';
import { leftAlone, batchStatements, revertStatements, windowEnd } from '../backfill-sql.js';
import { dialectOf, timestampParam } from '../dialect.js';
import type { ResolvedOptions } from '../options.js';
import { orphanMessage } from '../stats.js';
import { inTransaction, sql } from '../transaction.js';

/** Saved with every batch, in the batch's transaction. */
export interface BackfillCursor {
  /** Every production run with an id up to this one has been looked at. */
  after: number;
  seen: number;
  migrated: number;
  skipped: number;
  errors: number;
  batches: number;
}

const START: BackfillCursor = { after: 0, seen: 0, migrated: 0, skipped: 0, errors: 0, batches: 0 };

export const BACKFILL_ID = '003_backfill_recipe_snapshots';

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
      const yes = dialectOf(ds) === 'postgres' ? 'true' : '1';
      // One pass over the runs for all three checks (each used to be its own join over the snapshots).
      // s: the snapshot taken for the run (production_run_id is unique). A run linking any other snapshot
      // links one taken for another run; that snapshot is looked up by id only for such runs (a second
      // join scanned the whole, wide snapshot table again: 0.7 s -> 0.4 s at 100,000 runs).
      const [row] = await sql<Record<string, unknown>>(
        ds,
        `SELECT COALESCE(SUM(CASE WHEN pr.recipe_snapshot_id IS NULL AND r.id IS NOT NULL AND s.id IS NULL THEN 1 ELSE 0 END), 0) AS missing,
                COALESCE(SUM(CASE WHEN pr.recipe_snapshot_id IS NOT NULL AND (s.id IS NULL OR s.id <> pr.recipe_snapshot_id)
                                   AND EXISTS (SELECT 1 FROM recipe_snapshots l WHERE l.id = pr.recipe_snapshot_id) THEN 1 ELSE 0 END), 0) AS crossed,
                COALESCE(SUM(CASE WHEN s.is_backfilled = ${yes} AND (pr.recipe_snapshot_id IS NULL OR pr.recipe_snapshot_id <> s.id) THEN 1 ELSE 0 END), 0) AS unlinked
           FROM production_runs pr
           LEFT JOIN recipes r ON r.id = pr.recipe_id
           LEFT JOIN recipe_snapshots s ON s.production_run_id = pr.id`,
      );
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
  let cursor = (await ctx.checkpoint.load<BackfillCursor>()) ?? START;
  if (cursor.batches > 0) ctx.log(`resuming after production run ${cursor.after} (${cursor.batches} batch(es) already committed)`, { ...cursor });
  if (statements.prepare) await sql(ds, statements.prepare);
  const total = Number((await sql<{ n: unknown }>(ds, 'SELECT COUNT(*) AS n FROM production_runs'))[0]?.n ?? 0);

  for (;;) {
    if (ctx.signal.aborted) throw new Error(`stopped after production run ${cursor.after}; the next run resumes there`);
    const [window] = await sql<{ hi: unknown; n: unknown }>(ds, windowEnd(dialect), [cursor.after, options.batchSize]);
    if (window?.hi === null || window?.hi === undefined) break;
    const lo = cursor.after;
    const hi = Number(window.hi);
    const { next, left } = await inTransaction(ds, async () => {
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
      const next: BackfillCursor = {
        after: hi,
        seen: cursor.seen + Number(window.n),
        migrated: cursor.migrated + migrated,
        skipped: cursor.skipped + skipped,
        errors: cursor.errors + (left.length - skipped),
        batches: cursor.batches + 1,
      };
      await ctx.checkpoint.save(next);
      return { next, left };
    });
    reportLeftAlone(ctx, left);
    cursor = next;
    ctx.progress(cursor.seen, total, `${cursor.migrated} migrated, ${cursor.skipped} skipped, ${cursor.errors} error(s)`);
    if (options.throttleMs > 0) await pause(options.throttleMs, ctx.signal);
  }
  ctx.log(`backfilled ${cursor.migrated} snapshot(s); skipped ${cursor.skipped} run(s) without recipe; ${cursor.errors} error(s)`, { ...cursor });
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
