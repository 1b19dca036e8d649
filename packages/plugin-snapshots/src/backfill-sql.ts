// The backfill of one batch as set-based SQL: one statement builds every snapshot of the batch, with the
// recipe and ingredient JSON aggregated once per recipe (never a query per run or per ingredient), and links
// the runs. Written for PostgreSQL (one statement, data-modifying CTEs) and SQLite (INSERT ... SELECT, then
// one UPDATE). The JSON has the seed's keys in the seed's order; quantity is a float as `float(ri.quantity)`.
import type { Dialect } from './dialect.js';

/** SQLite: runs a batch may touch: unlinked, recipe still there, and no snapshot row for the run yet. */
const TODO = (lo: string, hi: string) => `
  SELECT pr.id, pr.recipe_id, pr.produced_at
    FROM production_runs pr JOIN recipes r ON r.id = pr.recipe_id
   WHERE pr.id > ${lo} AND pr.id <= ${hi} AND pr.recipe_snapshot_id IS NULL
     AND NOT EXISTS (SELECT 1 FROM recipe_snapshots s WHERE s.production_run_id = pr.id)`;

/** The recipe columns a snapshot's recipe_data holds (the seed's list). */
export const RECIPE_FIELDS = [
  'name',
  'category',
  'source',
  'yield_quantity',
  'yield_unit',
  'yield_description',
  'estimated_time_minutes',
  'notes',
  'variant_name',
];

/**
 * CTEs `ingredient_json` and `recipe_json` over a CTE `todo` (runs with a `recipe_id`): each recipe the batch
 * touches as the seed's two JSON texts, aggregated once per recipe. The dialects differ only in their JSON
 * functions (and PostgreSQL's json is cast to text, the column's type).
 */
function recipeJson(dialect: Dialect): string {
  const pg = dialect === 'postgres';
  const object = pg ? 'json_build_object' : 'json_object';
  const recipe = `${object}(${RECIPE_FIELDS.map((f) => `'${f}', r.${f}`).join(', ')})${pg ? '::text' : ''}`;
  const ingredient = `${object}('ingredient_id', ri.ingredient_id, 'ingredient_name', COALESCE(i.display_name, 'Unknown'),
      'ingredient_slug', COALESCE(i.slug, ''), 'quantity', ${pg ? 'ri.quantity::float8' : 'CAST(ri.quantity AS REAL)'}, 'unit', ri.unit, 'notes', ri.notes)`;
  const ingredients = pg
    ? `json_agg(${ingredient} ORDER BY ri.id)::text`
    : `json_group_array(json(${ingredient}) ORDER BY ri.id)`;
  return `ingredient_json AS MATERIALIZED (
  SELECT ri.recipe_id, ${ingredients} AS ingredients_data
    FROM recipe_ingredients ri LEFT JOIN ingredients i ON i.id = ri.ingredient_id
   WHERE ri.recipe_id IN (SELECT recipe_id FROM todo)
   GROUP BY ri.recipe_id
),
recipe_json AS MATERIALIZED (
  SELECT r.id, ${recipe} AS recipe_data, COALESCE(ij.ingredients_data, '[]') AS ingredients_data
    FROM recipes r LEFT JOIN ingredient_json ij ON ij.recipe_id = r.id
   WHERE r.id IN (SELECT recipe_id FROM todo)
)`;
}

export interface BatchStatements {
  /**
   * Run once before the first batch. PostgreSQL: fresh statistics for production_runs, whose new
   * recipe_snapshot_id column has none; without them the planner guesses a handful of unlinked runs per
   * batch and picks nested loops over the batch's CTEs (measured: 9 s instead of 0.5 s per 5,000 runs).
   */
  prepare?: string;
  /**
   * Run first in the batch's transaction. PostgreSQL: room to sort the batch's snapshot rows (~1.5 KB each)
   * in memory (a 50,000-run batch spilled 70 MB to disk at 64 MB), and no JIT: from ~25,000 runs the plan's
   * cost passes jit_above_cost, and compiling it took ~170 ms per batch for a plan that runs once.
   */
  setup?: string[];
  /**
   * Parameters: lo, hi, now. PostgreSQL: returns rows `{kind, run_id, recipe_id, snapshot_id}`: one
   * `migrated` row (its run_id is the count), one `skipped` row per run of a deleted recipe, one `error`
   * row per run that already has an unlinked snapshot. SQLite: returns nothing (then `leftAlone`, `link`).
   */
  insert: string;
  /** SQLite only. Parameters: lo, hi, the largest snapshot id before the insert. */
  link?: string;
}

/**
 * PostgreSQL: the link column's statistics only (the table's size comes with them): 19 instead of 33-40 ms
 * at 100,000 runs. Before the first batch (none yet), and in 004 before the foreign keys' check (see there).
 */
export const LINK_STATISTICS = 'ANALYZE production_runs (recipe_snapshot_id)';

export function batchStatements(dialect: Dialect, batchSize: number): BatchStatements {
  if (dialect === 'postgres') {
    return {
      prepare: LINK_STATISTICS,
      setup: [
        `SET LOCAL work_mem = '${Math.min(256, Math.max(64, Math.ceil((batchSize * 2) / 1024)))}MB'`,
        'SET LOCAL jit = off',
      ],
      // One statement per batch: the window's unlinked runs are read once, and what the batch leaves alone
      // comes back with the count (runs of a deleted recipe; runs that already have an unlinked snapshot),
      // so no second pass over the window. Every CTE sees the snapshot taken before the statement.
      // An existing snapshot is found by a scalar subquery on the unique index (a join made the planner
      // hash the whole growing, never analyzed snapshot table per batch), not by ON CONFLICT DO NOTHING:
      // speculative insertion wrote an extra WAL record per row (measured: 1.2 s -> 0.95 s per 50,000 runs).
      // The unique constraint still refuses a duplicate; then the batch rolls back and nothing is lost.
      // Snapshot ids are drawn in run order over the narrow run rows, so the wide rows (~1.5 KB of JSON each)
      // are never sorted (measured: ~80 ms per 100,000 runs), and the runs are linked from those ids
      // instead of from the INSERT's RETURNING. OVERRIDING SYSTEM VALUE: an app's table may use an identity.
      insert: `
WITH win AS MATERIALIZED (
  SELECT pr.id, pr.recipe_id, pr.produced_at, r.id AS found,
         (SELECT s.id FROM recipe_snapshots s WHERE s.production_run_id = pr.id) AS existing
    FROM production_runs pr LEFT JOIN recipes r ON r.id = pr.recipe_id
   WHERE pr.id > $1 AND pr.id <= $2 AND pr.recipe_snapshot_id IS NULL
),
todo AS MATERIALIZED (
  SELECT id, recipe_id, produced_at, nextval((SELECT pg_get_serial_sequence('recipe_snapshots', 'id'))::regclass) AS snapshot_id
    FROM (SELECT id, recipe_id, produced_at FROM win WHERE found IS NOT NULL AND existing IS NULL ORDER BY id) runs
),
${recipeJson(dialect)},
inserted AS (
  INSERT INTO recipe_snapshots (id, recipe_id, production_run_id, scale_factor, snapshot_date, recipe_data, ingredients_data, is_backfilled)
  OVERRIDING SYSTEM VALUE
  SELECT t.snapshot_id, t.recipe_id, t.id, 1.0, COALESCE(t.produced_at, $3::timestamp), j.recipe_data, j.ingredients_data, true
    FROM todo t JOIN recipe_json j ON j.id = t.recipe_id
),
linked AS (
  UPDATE production_runs pr SET recipe_snapshot_id = t.snapshot_id FROM todo t
   WHERE pr.id = t.id AND pr.id > $1 AND pr.id <= $2 RETURNING pr.id
)
SELECT 'migrated' AS kind, COUNT(*)::int AS run_id, NULL::int AS recipe_id, NULL::int AS snapshot_id FROM linked
UNION ALL
SELECT 'skipped', w.id, w.recipe_id, NULL FROM win w WHERE w.found IS NULL
UNION ALL
SELECT 'error', w.id, w.recipe_id, w.existing FROM win w WHERE w.found IS NOT NULL AND w.existing IS NOT NULL`,
    };
  }
  return {
    insert: `
INSERT INTO recipe_snapshots (recipe_id, production_run_id, scale_factor, snapshot_date, recipe_data, ingredients_data, is_backfilled)
WITH todo AS MATERIALIZED (${TODO('?1', '?2')}),
${recipeJson(dialect)}
SELECT t.recipe_id, t.id, 1.0, COALESCE(t.produced_at, ?3), j.recipe_data, j.ingredients_data, 1
  FROM todo t JOIN recipe_json j ON j.id = t.recipe_id
 ORDER BY t.id`,
    link: `
UPDATE production_runs SET recipe_snapshot_id = (SELECT s.id FROM recipe_snapshots s WHERE s.production_run_id = production_runs.id)
 WHERE id > ?1 AND id <= ?2 AND recipe_snapshot_id IS NULL
   AND EXISTS (SELECT 1 FROM recipe_snapshots s WHERE s.production_run_id = production_runs.id AND s.id > ?3 AND s.is_backfilled = 1)`,
  };
}

/**
 * PostgreSQL, for one transaction that reads the whole, just backfilled snapshot table (the validator, the
 * foreign keys' checks): planned on stale statistics, such a query looks costly enough to JIT-compile, and
 * compiling took longer than running it (120 of 260 ms at 100,000 runs); work_mem keeps the hash of the
 * runs in memory (at 4 MB it spilled); and a parallel scan of the new, never analyzed snapshot table, which
 * the default costs talk the planner out of, ran the validator in 85 instead of 123 ms.
 */
export const BULK_READ_SETTINGS = [
  'SET LOCAL jit = off',
  "SET LOCAL work_mem = '64MB'",
  'SET LOCAL parallel_setup_cost = 0',
  'SET LOCAL parallel_tuple_cost = 0',
];

/** The end of the next batch window: the id of the `size`-th run after `cursor` (or the last one). */
export function windowEnd(dialect: Dialect): string {
  return dialect === 'postgres'
    ? `SELECT MAX(id) AS hi, COUNT(*) AS n FROM (SELECT id FROM production_runs WHERE id > $1 ORDER BY id LIMIT $2) w`
    : `SELECT MAX(id) AS hi, COUNT(*) AS n FROM (SELECT id FROM production_runs WHERE id > ?1 ORDER BY id LIMIT ?2) w`;
}

/** Runs in the window the batch leaves alone, with why: recipe deleted, or an unlinked snapshot exists. */
export function leftAlone(dialect: Dialect): string {
  const [lo, hi] = dialect === 'postgres' ? ['$1', '$2'] : ['?1', '?2'];
  // Scalar subqueries on the unique index: a join here made the planner hash the whole (growing, never
  // analyzed) snapshot table once per batch, so the backfill grew quadratically.
  return `
SELECT pr.id AS run_id, pr.recipe_id AS recipe_id, r.id AS found,
       (SELECT s.id FROM recipe_snapshots s WHERE s.production_run_id = pr.id) AS snapshot_id
  FROM production_runs pr LEFT JOIN recipes r ON r.id = pr.recipe_id
 WHERE pr.id > ${lo} AND pr.id <= ${hi} AND pr.recipe_snapshot_id IS NULL
   AND (r.id IS NULL OR EXISTS (SELECT 1 FROM recipe_snapshots s WHERE s.production_run_id = pr.id))
 ORDER BY pr.id`;
}

/** Down: unlink and delete backfilled snapshots only; the app's own snapshots stay. */
export function revertStatements(dialect: Dialect): string[] {
  const yes = dialect === 'postgres' ? 'true' : '1';
  return [
    `UPDATE production_runs SET recipe_snapshot_id = NULL WHERE recipe_snapshot_id IN (SELECT id FROM recipe_snapshots WHERE is_backfilled = ${yes})`,
    `DELETE FROM recipe_snapshots WHERE is_backfilled = ${yes}`,
  ];
}
