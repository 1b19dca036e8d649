// The database's observable state as plain rows (the harness's State, the golden fixtures' files), and the
// way back: load such rows into a fresh database with the app's schema. Ledger tables are not part of it.
import type { DataSource } from 'typeorm';
import type { Ingredient, Recipe, RecipeIngredient } from './entities.js';
import { dialectOf, timestampFromDb, timestampParam, type Dialect } from './dialect.js';
import { schemaShape } from './inspect.js';
import { CreateRecipeTables1767225600000 } from './schema/1767225600000-CreateRecipeTables.js';
import { CreateRecipeSnapshots1767225600001 } from './schema/1767225600001-CreateRecipeSnapshots.js';
import { AddRunSnapshotLink1767225600002 } from './schema/1767225600002-AddRunSnapshotLink.js';
import { AddSnapshotForeignKeys1767225600003 } from './schema/1767225600003-AddSnapshotForeignKeys.js';
import { inTransaction, sql } from './transaction.js';

// Rows are the entities without their relations; only dates (ISO text) and JSON (parsed) differ below.
export type RecipeRow = Omit<Recipe, 'recipe_ingredients'>;
export type IngredientRow = Ingredient;
export type RecipeIngredientRow = Omit<RecipeIngredient, 'recipe' | 'ingredient'>;
export interface ProductionRunRow {
  id: number;
  recipe_id: number | null;
  /** ISO-8601 UTC. */
  produced_at: string | null;
  num_batches: number;
  notes: string | null;
  /** Present only once the column exists. */
  recipe_snapshot_id?: number | null;
}
export interface RecipeSnapshotRow {
  id: number;
  recipe_id: number | null;
  production_run_id: number;
  scale_factor: number;
  snapshot_date: string;
  /** Parsed from the stored JSON text, so fixtures read as data. */
  recipe_data: unknown;
  ingredients_data: unknown;
  is_backfilled: boolean;
}

export interface SnapshotsState {
  recipes: RecipeRow[];
  ingredients: IngredientRow[];
  recipe_ingredients: RecipeIngredientRow[];
  production_runs: ProductionRunRow[];
  /** Absent when the table does not exist (the legacy schema). */
  recipe_snapshots?: RecipeSnapshotRow[];
  /** True once production_runs.recipe_snapshot_id exists. */
  run_link?: boolean;
}

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const str = (v: unknown) => (v === null || v === undefined ? null : String(v));

export async function readState(ds: DataSource): Promise<SnapshotsState> {
  const shape = await schemaShape(ds);
  const rows = (table: string) => sql<Record<string, unknown>>(ds, `SELECT * FROM ${table} ORDER BY id`);
  const state: SnapshotsState = {
    recipes: (await rows('recipes')).map((r) => ({
      id: Number(r.id),
      name: String(r.name),
      category: str(r.category),
      source: str(r.source),
      yield_quantity: num(r.yield_quantity),
      yield_unit: str(r.yield_unit),
      yield_description: str(r.yield_description),
      estimated_time_minutes: num(r.estimated_time_minutes),
      notes: str(r.notes),
      variant_name: str(r.variant_name),
    })),
    ingredients: (await rows('ingredients')).map((r) => ({
      id: Number(r.id),
      display_name: String(r.display_name),
      slug: String(r.slug),
    })),
    recipe_ingredients: (await rows('recipe_ingredients')).map((r) => ({
      id: Number(r.id),
      recipe_id: Number(r.recipe_id),
      ingredient_id: num(r.ingredient_id),
      quantity: Number(r.quantity),
      unit: String(r.unit),
      notes: str(r.notes),
    })),
    production_runs: (await rows('production_runs')).map((r) => ({
      id: Number(r.id),
      recipe_id: num(r.recipe_id),
      produced_at: timestampFromDb(r.produced_at),
      num_batches: Number(r.num_batches),
      notes: str(r.notes),
      ...(shape.runLink ? { recipe_snapshot_id: num(r.recipe_snapshot_id) } : {}),
    })),
    run_link: shape.runLink,
  };
  if (shape.snapshotsTable) {
    state.recipe_snapshots = (await rows('recipe_snapshots')).map((r) => ({
      id: Number(r.id),
      recipe_id: num(r.recipe_id),
      production_run_id: Number(r.production_run_id),
      scale_factor: Number(r.scale_factor),
      snapshot_date: timestampFromDb(r.snapshot_date)!,
      recipe_data: JSON.parse(String(r.recipe_data)) as unknown,
      ingredients_data: JSON.parse(String(r.ingredients_data)) as unknown,
      is_backfilled: r.is_backfilled === true || Number(r.is_backfilled) === 1,
    }));
  }
  return state;
}

/**
 * Creates the app's schema in an empty database (with the snapshot schema when the state has it) and loads the rows.
 */
export async function loadState(ds: DataSource, state: SnapshotsState): Promise<void> {
  const dialect = dialectOf(ds);
  const withSnapshots = state.recipe_snapshots !== undefined;
  await inTransaction(ds, async (runner) => {
    await new CreateRecipeTables1767225600000().up(runner);
    if (withSnapshots) await new CreateRecipeSnapshots1767225600001().up(runner);
    if (withSnapshots || state.run_link) await new AddRunSnapshotLink1767225600002().up(runner);
    // The app's deployed schema has the foreign keys; add them after the rows (runs and snapshots reference each
    // other).
    await insertRows(ds, dialect, 'recipes', state.recipes);
    await insertRows(ds, dialect, 'ingredients', state.ingredients);
    await insertRows(ds, dialect, 'recipe_ingredients', state.recipe_ingredients);
    await insertRows(
      ds,
      dialect,
      'production_runs',
      // Links are set after the snapshots exist (the two tables reference each other).
      state.production_runs.map(({ recipe_snapshot_id: _, ...r }) => ({
        ...r,
        produced_at: r.produced_at === null ? null : timestampParam(dialect, new Date(r.produced_at)),
      })),
    );
    if (state.recipe_snapshots) {
      await insertRows(
        ds,
        dialect,
        'recipe_snapshots',
        state.recipe_snapshots.map((s) => ({
          ...s,
          snapshot_date: timestampParam(dialect, new Date(s.snapshot_date)),
          recipe_data: JSON.stringify(s.recipe_data),
          ingredients_data: JSON.stringify(s.ingredients_data),
          is_backfilled: dialect === 'postgres' ? s.is_backfilled : s.is_backfilled ? 1 : 0,
        })),
      );
      for (const r of state.production_runs) {
        if (r.recipe_snapshot_id != null) {
          await sql(
            ds,
            `UPDATE production_runs SET recipe_snapshot_id = ${dialect === 'postgres' ? '$1' : '?'} WHERE id = ${dialect === 'postgres' ? '$2' : '?'}`,
            [r.recipe_snapshot_id, r.id],
          );
        }
      }
    }
    if (withSnapshots) await new AddSnapshotForeignKeys1767225600003().up(runner);
    if (dialect === 'postgres') {
      for (const table of [
        'recipes',
        'ingredients',
        'recipe_ingredients',
        'production_runs',
        ...(withSnapshots ? ['recipe_snapshots'] : []),
      ]) {
        await sql(
          ds,
          `SELECT setval(pg_get_serial_sequence('${table}', 'id'), COALESCE((SELECT MAX(id) FROM ${table}), 0) + 1, false)`,
        );
      }
    }
  });
}

async function insertRows(ds: DataSource, dialect: Dialect, table: string, rows: readonly object[]): Promise<void> {
  const first = rows[0];
  if (!first) return;
  const columns = Object.keys(first);
  const chunk = Math.max(1, Math.floor(900 / columns.length));
  for (let i = 0; i < rows.length; i += chunk) {
    const part = rows.slice(i, i + chunk);
    const params: unknown[] = [];
    const tuples = part.map((row) => {
      const values = columns.map((c) => {
        params.push((row as Record<string, unknown>)[c] ?? null);
        return dialect === 'postgres' ? `$${params.length}` : '?';
      });
      return `(${values.join(', ')})`;
    });
    await sql(ds, `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${tuples.join(', ')}`, params);
  }
}

/**
 * Backfilled snapshot ids come from a sequence, which PostgreSQL does not roll back: after a failed batch
 * the ids have gaps. This names them by their run instead (`run:<id>`), everywhere they appear.
 */
export function normalizeState(state: SnapshotsState): SnapshotsState {
  if (!state.recipe_snapshots) return state;
  const rename = new Map<number, string>();
  for (const s of state.recipe_snapshots) if (s.is_backfilled) rename.set(s.id, `run:${s.production_run_id}`);
  const id = (v: number | null | undefined) => (v != null && rename.has(v) ? rename.get(v) : v);
  return {
    ...state,
    production_runs: state.production_runs.map((r) =>
      'recipe_snapshot_id' in r ? { ...r, recipe_snapshot_id: id(r.recipe_snapshot_id) as number | null } : r,
    ),
    recipe_snapshots: state.recipe_snapshots
      .map((s) => ({ ...s, id: id(s.id) as number }))
      .sort((a, b) => a.production_run_id - b.production_run_id),
  };
}
