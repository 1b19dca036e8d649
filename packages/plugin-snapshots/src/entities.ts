// The recipe domain as TypeORM entities (EntitySchema: no decorators, so no emitDecoratorMetadata under
// esbuild/vitest). Fields follow the seed's models; table and column names are the seed's snake_case.
import { EntitySchema, type ValueTransformer } from 'typeorm';

/** PostgreSQL returns numeric as a string; the seed's code reads it as a float. */
const numeric: ValueTransformer = {
  to: (value: unknown) => value,
  from: (value: unknown) => (value === null || value === undefined ? value : Number(value)),
};

export interface Recipe {
  id: number;
  name: string;
  category: string | null;
  source: string | null;
  yield_quantity: number | null;
  yield_unit: string | null;
  yield_description: string | null;
  estimated_time_minutes: number | null;
  notes: string | null;
  variant_name: string | null;
  recipe_ingredients?: RecipeIngredient[];
}

export interface Ingredient {
  id: number;
  display_name: string;
  slug: string;
}

export interface RecipeIngredient {
  id: number;
  recipe_id: number;
  ingredient_id: number | null;
  quantity: number;
  unit: string;
  notes: string | null;
  recipe?: Recipe;
  ingredient?: Ingredient | null;
}

export interface ProductionRun {
  id: number;
  /** No foreign key: a recipe can be deleted while its history (runs) stays. */
  recipe_id: number | null;
  produced_at: Date | null;
  num_batches: number;
  notes: string | null;
  recipe_snapshot_id: number | null;
}

export interface RecipeSnapshot {
  id: number;
  recipe_id: number | null;
  production_run_id: number;
  scale_factor: number;
  snapshot_date: Date;
  /** JSON text, as the seed stores it (`json.dumps`). */
  recipe_data: string;
  ingredients_data: string;
  is_backfilled: boolean;
}

export const RecipeEntity = new EntitySchema<Recipe>({
  name: 'Recipe',
  tableName: 'recipes',
  columns: {
    id: { type: 'integer', primary: true, generated: 'increment' },
    name: { type: 'varchar', length: 200 },
    category: { type: 'varchar', length: 100, nullable: true },
    source: { type: 'varchar', length: 500, nullable: true },
    yield_quantity: { type: 'double precision', nullable: true },
    yield_unit: { type: 'varchar', length: 50, nullable: true },
    yield_description: { type: 'varchar', length: 200, nullable: true },
    estimated_time_minutes: { type: 'integer', nullable: true },
    notes: { type: 'text', nullable: true },
    variant_name: { type: 'varchar', length: 100, nullable: true },
  },
  relations: {
    recipe_ingredients: { type: 'one-to-many', target: 'RecipeIngredient', inverseSide: 'recipe' },
  },
});

export const IngredientEntity = new EntitySchema<Ingredient>({
  name: 'Ingredient',
  tableName: 'ingredients',
  columns: {
    id: { type: 'integer', primary: true, generated: 'increment' },
    display_name: { type: 'varchar', length: 200 },
    slug: { type: 'varchar', length: 200, unique: true },
  },
});

export const RecipeIngredientEntity = new EntitySchema<RecipeIngredient>({
  name: 'RecipeIngredient',
  tableName: 'recipe_ingredients',
  columns: {
    id: { type: 'integer', primary: true, generated: 'increment' },
    recipe_id: { type: 'integer' },
    ingredient_id: { type: 'integer', nullable: true },
    quantity: { type: 'decimal', precision: 10, scale: 3, transformer: numeric },
    unit: { type: 'varchar', length: 50 },
    notes: { type: 'text', nullable: true },
  },
  relations: {
    recipe: {
      type: 'many-to-one',
      target: 'Recipe',
      inverseSide: 'recipe_ingredients',
      joinColumn: { name: 'recipe_id' },
      onDelete: 'CASCADE',
    },
    ingredient: {
      type: 'many-to-one',
      target: 'Ingredient',
      joinColumn: { name: 'ingredient_id' },
      nullable: true,
      onDelete: 'SET NULL',
    },
  },
});

export const ProductionRunEntity = new EntitySchema<ProductionRun>({
  name: 'ProductionRun',
  tableName: 'production_runs',
  columns: {
    id: { type: 'integer', primary: true, generated: 'increment' },
    recipe_id: { type: 'integer', nullable: true },
    produced_at: { type: Date, nullable: true },
    num_batches: { type: 'integer', default: 1 },
    notes: { type: 'text', nullable: true },
    recipe_snapshot_id: { type: 'integer', nullable: true },
  },
});

export const RecipeSnapshotEntity = new EntitySchema<RecipeSnapshot>({
  name: 'RecipeSnapshot',
  tableName: 'recipe_snapshots',
  columns: {
    id: { type: 'integer', primary: true, generated: 'increment' },
    recipe_id: { type: 'integer', nullable: true },
    production_run_id: { type: 'integer', unique: true },
    scale_factor: { type: 'double precision', default: 1 },
    snapshot_date: { type: Date },
    recipe_data: { type: 'text' },
    ingredients_data: { type: 'text' },
    is_backfilled: { type: 'boolean', default: false },
  },
});

/** Pass these to your DataSource's `entities`. */
export const snapshotEntities = [
  RecipeEntity,
  IngredientEntity,
  RecipeIngredientEntity,
  ProductionRunEntity,
  RecipeSnapshotEntity,
];
