// Legacy recipe databases for the laws: recipes, ingredients (some deleted: ingredient_id null), runs of
// existing recipes, of deleted recipes (dangling recipe_id) and of none, runs with no produced_at, and,
// when the app already deployed the snapshot schema, runs already linked to the app's own snapshots and
// unlinked leftover snapshots.
import fc from 'fast-check';
import type {
  IngredientRow,
  ProductionRunRow,
  RecipeIngredientRow,
  RecipeRow,
  RecipeSnapshotRow,
  SnapshotsState,
} from '../state.js';

const text = fc.string({
  unit: fc.constantFrom('a', 'b', 'z', ' ', '"', '\\', "'", 'é', 'ß', '🍪', '\n', '/'),
  minLength: 1,
  maxLength: 8,
});
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null });
const thousandths = (max: number) => fc.integer({ min: 0, max: max * 1000 }).map((n) => n / 1000);
const instant = fc
  .date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2026-01-01T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString());

const recipeFields = fc.record({
  name: text,
  category: maybe(text),
  source: maybe(text),
  yield_quantity: maybe(thousandths(500)),
  yield_unit: maybe(text),
  yield_description: maybe(text),
  estimated_time_minutes: maybe(fc.integer({ min: 0, max: 2000 })),
  notes: maybe(text),
  variant_name: maybe(text),
});

export const legacyDatabase: fc.Arbitrary<SnapshotsState> = fc
  .record({
    recipes: fc.array(recipeFields, { maxLength: 4 }),
    ingredientCount: fc.integer({ min: 0, max: 5 }),
    lines: fc.array(
      fc.record({
        recipe: fc.nat(),
        ingredient: fc.option(fc.nat(), { nil: null }),
        quantity: thousandths(50),
        unit: text,
        notes: maybe(text),
      }),
      { maxLength: 10 },
    ),
    runs: fc.array(
      fc.record({
        recipe: fc.oneof(
          fc.nat().map((n) => ({ existing: n })),
          fc.constant({ deleted: true as const }),
          fc.constant(null),
        ),
        produced_at: maybe(instant),
        num_batches: fc.integer({ min: 1, max: 9 }),
        notes: maybe(text),
      }),
      { maxLength: 10 },
    ),
    deployed: fc.boolean(),
    linkEvery: fc.integer({ min: 2, max: 4 }),
    orphanEvery: fc.integer({ min: 3, max: 7 }),
  })
  .map(({ recipes: fields, ingredientCount, lines, runs: runSpecs, deployed, linkEvery, orphanEvery }) => {
    const recipes: RecipeRow[] = fields.map((f, i) => ({ id: i + 1, ...f }));
    const ingredients: IngredientRow[] = Array.from({ length: ingredientCount }, (_, i) => ({
      id: i + 1,
      display_name: `Ingredient ${i + 1}`,
      slug: `ingredient_${i + 1}`,
    }));
    const recipe_ingredients: RecipeIngredientRow[] =
      recipes.length === 0
        ? []
        : lines.map((l, i) => ({
            id: i + 1,
            recipe_id: recipes[l.recipe % recipes.length]!.id,
            ingredient_id:
              l.ingredient === null || ingredients.length === 0
                ? null
                : ingredients[l.ingredient % ingredients.length]!.id,
            quantity: l.quantity,
            unit: l.unit,
            notes: l.notes,
          }));
    const production_runs: ProductionRunRow[] = runSpecs.map((r, i) => ({
      id: i + 1,
      recipe_id:
        r.recipe === null
          ? null
          : 'deleted' in r.recipe || recipes.length === 0
            ? 100 + i
            : recipes[r.recipe.existing % recipes.length]!.id,
      produced_at: r.produced_at,
      num_batches: r.num_batches,
      notes: r.notes,
    }));
    if (!deployed) return { recipes, ingredients, recipe_ingredients, production_runs, run_link: false };
    const recipe_snapshots: RecipeSnapshotRow[] = [];
    for (const run of production_runs) {
      const linked = run.id % linkEvery === 0;
      const orphan = !linked && run.id % orphanEvery === 0;
      if (linked || orphan) {
        recipe_snapshots.push({
          id: recipe_snapshots.length + 1,
          recipe_id: run.recipe_id,
          production_run_id: run.id,
          scale_factor: 1.5,
          snapshot_date: run.produced_at ?? '2025-06-01T00:00:00.000Z',
          recipe_data: { name: 'taken by the app' },
          ingredients_data: [],
          is_backfilled: false,
        });
      }
    }
    const runs = production_runs.map((r) => ({
      ...r,
      recipe_snapshot_id:
        recipe_snapshots.find((s) => s.production_run_id === r.id && r.id % linkEvery === 0)?.id ?? null,
    }));
    return { recipes, ingredients, recipe_ingredients, production_runs: runs, recipe_snapshots, run_link: true };
  });
