// The seed's migrate_production_snapshots() ported faithfully to TypeORM, for the benchmark only: one
// session (transaction), every unlinked run loaded, then per run a recipe query, a snapshot INSERT flushed
// at once (to get its id), and the run's UPDATE at commit. SQLAlchemy's identity map is honoured: a
// recipe's ingredient list and each ingredient are loaded once per session, not once per run.
import { IsNull, type DataSource, type EntityManager } from 'typeorm';
import {
  IngredientEntity,
  ProductionRunEntity,
  RecipeEntity,
  RecipeIngredientEntity,
  RecipeSnapshotEntity,
  type Ingredient,
  type ProductionRun,
  type Recipe,
  type RecipeIngredient,
  type RecipeSnapshot,
} from '../entities.js';

export interface SeedStats {
  total_runs: number;
  already_migrated: number;
  migrated: number;
  skipped_no_recipe: number;
  errors: { run_id: number; error: string }[];
}

/**
 * `sample`: only the first `sample` unlinked runs (by id), for a bench that times a sample of the loop and
 * extrapolates: its cost per run is flat (one round trip per query), so a sample says what the whole would take.
 */
export async function migrateProductionSnapshotsOrm(
  ds: DataSource,
  dryRun: boolean,
  utcNow: () => Date = () => new Date(),
  sample?: number,
): Promise<SeedStats> {
  const stats: SeedStats = { total_runs: 0, already_migrated: 0, migrated: 0, skipped_no_recipe: 0, errors: [] };
  await ds.transaction(async (session) => {
    const runs = await session.find(ProductionRunEntity, {
      where: { recipe_snapshot_id: IsNull() },
      ...(sample === undefined ? {} : { order: { id: 'ASC' as const }, take: sample }),
    });
    stats.total_runs = runs.length;
    const identity = {
      lines: new Map<number, RecipeIngredient[]>(),
      ingredients: new Map<number, Ingredient | null>(),
    };
    const dirty: ProductionRun[] = [];
    for (const run of runs) {
      try {
        const recipe = await session.findOne(RecipeEntity, { where: { id: run.recipe_id ?? -1 } });
        if (!recipe) {
          stats.skipped_no_recipe += 1;
          continue;
        }
        if (dryRun) {
          stats.migrated += 1;
          continue;
        }
        const snapshot = await createBackfillSnapshot(run, recipe, session, identity, utcNow);
        run.recipe_snapshot_id = snapshot.id;
        dirty.push(run);
        stats.migrated += 1;
      } catch (error) {
        stats.errors.push({ run_id: run.id, error: String(error) });
      }
    }
    // session.commit(): the unit of work flushes one UPDATE per dirty run.
    for (const run of dirty)
      await session.update(ProductionRunEntity, { id: run.id }, { recipe_snapshot_id: run.recipe_snapshot_id });
  });
  return stats;
}

async function createBackfillSnapshot(
  run: ProductionRun,
  recipe: Recipe,
  session: EntityManager,
  identity: { lines: Map<number, RecipeIngredient[]>; ingredients: Map<number, Ingredient | null> },
  utcNow: () => Date,
): Promise<RecipeSnapshot> {
  // _ = recipe.recipe_ingredients (lazy load, kept on the identity-mapped recipe)
  let lines = identity.lines.get(recipe.id);
  if (!lines) {
    lines = await session.find(RecipeIngredientEntity, { where: { recipe_id: recipe.id }, order: { id: 'ASC' } });
    identity.lines.set(recipe.id, lines);
  }
  // for ri in ...: _ = ri.ingredient (many-to-one: identity map first, then one SELECT)
  for (const ri of lines) {
    if (ri.ingredient_id !== null && !identity.ingredients.has(ri.ingredient_id)) {
      identity.ingredients.set(
        ri.ingredient_id,
        await session.findOne(IngredientEntity, { where: { id: ri.ingredient_id } }),
      );
    }
  }
  const recipeData = {
    name: recipe.name,
    category: recipe.category,
    source: recipe.source,
    yield_quantity: recipe.yield_quantity,
    yield_unit: recipe.yield_unit,
    yield_description: recipe.yield_description,
    estimated_time_minutes: recipe.estimated_time_minutes,
    notes: recipe.notes,
    variant_name: recipe.variant_name ?? null,
  };
  const ingredientsData = lines.map((ri) => {
    const ingredient = ri.ingredient_id === null ? null : identity.ingredients.get(ri.ingredient_id);
    return {
      ingredient_id: ri.ingredient_id,
      ingredient_name: ingredient ? ingredient.display_name : 'Unknown',
      ingredient_slug: ingredient ? ingredient.slug : '',
      quantity: Number(ri.quantity),
      unit: ri.unit,
      notes: ri.notes,
    };
  });
  // session.add(snapshot); session.flush()
  return session.save(RecipeSnapshotEntity, {
    recipe_id: recipe.id,
    production_run_id: run.id,
    scale_factor: 1.0,
    snapshot_date: run.produced_at ?? utcNow(),
    recipe_data: JSON.stringify(recipeData),
    ingredients_data: JSON.stringify(ingredientsData),
    is_backfilled: true,
  } as RecipeSnapshot);
}
