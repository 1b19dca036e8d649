// Benchmark data straight in PostgreSQL: recipes with ~8 ingredients each, and production runs of which
// 2% belong to a deleted recipe and 10% have no produced_at.
import type { DataSource } from 'typeorm';
import { CreateRecipeTables1767225600000 } from '../schema/1767225600000-CreateRecipeTables.js';
import { inTransaction } from '../transaction.js';

export interface BenchShape {
  runs: number;
  recipes: number;
  ingredients: number;
  linesPerRecipe: number;
}

export async function generate(ds: DataSource, shape: BenchShape): Promise<void> {
  await inTransaction(ds, (runner) => new CreateRecipeTables1767225600000().up(runner));
  const { runs, recipes, ingredients, linesPerRecipe } = shape;
  await ds.query(
    `INSERT INTO ingredients (id, display_name, slug) SELECT g, 'Ingredient ' || g, 'ingredient_' || g FROM generate_series(1, ${ingredients}) g`,
  );
  await ds.query(
    `INSERT INTO recipes (id, name, category, source, yield_quantity, yield_unit, yield_description, estimated_time_minutes, notes, variant_name)
     SELECT g, 'Recipe ' || g, (ARRAY['Cookies','Bars','Cakes','Breads'])[1 + g % 4], CASE WHEN g % 3 = 0 THEN NULL ELSE 'Book p.' || g END,
            12 + g % 40, 'pieces', NULL, 20 + g % 90, CASE WHEN g % 5 = 0 THEN 'Chill first' END, CASE WHEN g % 7 = 0 THEN 'Holiday' END
       FROM generate_series(1, ${recipes}) g`,
  );
  // ~linesPerRecipe lines (linesPerRecipe-1 .. linesPerRecipe+1); 1 in 50 lines lost its ingredient.
  await ds.query(
    `INSERT INTO recipe_ingredients (recipe_id, ingredient_id, quantity, unit, notes)
     SELECT r, CASE WHEN (r * 31 + k) % 50 = 0 THEN NULL ELSE 1 + (r * 7 + k * 13) % ${ingredients} END, ((r + k) % 16 + 1) * 0.25, 'cup', CASE WHEN k = 1 THEN 'sifted' END
       FROM generate_series(1, ${recipes}) r, generate_series(1, ${linesPerRecipe + 1}) k
      WHERE k <= ${linesPerRecipe - 1} + r % 3`,
  );
  await ds.query(
    `INSERT INTO production_runs (recipe_id, produced_at, num_batches, notes)
     SELECT CASE WHEN g % 50 = 0 THEN ${recipes} + 1 + g % 100 ELSE 1 + (g * 17) % ${recipes} END,
            CASE WHEN g % 10 = 0 THEN NULL ELSE timestamp '2024-01-01' + (g || ' minutes')::interval END, 1 + g % 4, NULL
       FROM generate_series(1, ${runs}) g`,
  );
  await ds.query(
    `SELECT setval(pg_get_serial_sequence('recipe_ingredients', 'id'), (SELECT MAX(id) FROM recipe_ingredients))`,
  );
  await ds.query('ANALYZE');
}
