// The limit the backfill is measured against: what a DBA would write by hand for the whole backfill, in
// one transaction, with no batches, no cursor, no resume, no ledger or lock: one INSERT ... SELECT of every
// snapshot (recipe and ingredient JSON aggregated once per recipe, as the plugin does) and one UPDATE that
// links the runs. Same rows as the plugin (the bench compares them); the foreign keys are not part of it.
import type { DataSource } from 'typeorm';
import { RECIPE_FIELDS } from '../backfill-sql.js';

export async function handWrittenBackfill(ds: DataSource, now: Date): Promise<void> {
  const runner = ds.createQueryRunner();
  try {
    await runner.startTransaction();
    await runner.query(
      `
INSERT INTO recipe_snapshots (recipe_id, production_run_id, scale_factor, snapshot_date, recipe_data, ingredients_data, is_backfilled)
WITH ingredient_json AS (
  SELECT ri.recipe_id,
         json_agg(json_build_object('ingredient_id', ri.ingredient_id, 'ingredient_name', COALESCE(i.display_name, 'Unknown'),
           'ingredient_slug', COALESCE(i.slug, ''), 'quantity', ri.quantity::float8, 'unit', ri.unit, 'notes', ri.notes) ORDER BY ri.id)::text AS ingredients_data
    FROM recipe_ingredients ri LEFT JOIN ingredients i ON i.id = ri.ingredient_id
   GROUP BY ri.recipe_id
),
recipe_json AS (
  SELECT r.id, json_build_object(${RECIPE_FIELDS.map((f) => `'${f}', r.${f}`).join(', ')})::text AS recipe_data, COALESCE(ij.ingredients_data, '[]') AS ingredients_data
    FROM recipes r LEFT JOIN ingredient_json ij ON ij.recipe_id = r.id
)
SELECT pr.recipe_id, pr.id, 1.0, COALESCE(pr.produced_at, $1::timestamp), j.recipe_data, j.ingredients_data, true
  FROM production_runs pr JOIN recipe_json j ON j.id = pr.recipe_id
 WHERE pr.recipe_snapshot_id IS NULL
   AND NOT EXISTS (SELECT 1 FROM recipe_snapshots s WHERE s.production_run_id = pr.id)`,
      [now],
    );
    await runner.query(
      `UPDATE production_runs pr SET recipe_snapshot_id = s.id FROM recipe_snapshots s
        WHERE s.production_run_id = pr.id AND pr.recipe_snapshot_id IS NULL AND s.is_backfilled`,
    );
    await runner.commitTransaction();
  } catch (error) {
    if (runner.isTransactionActive) await runner.rollbackTransaction();
    throw error;
  } finally {
    await runner.release();
  }
}
