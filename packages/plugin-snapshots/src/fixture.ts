// A state as plain files: one JSON array per table (rows by id) and schema.json for what exists.
import { createError } from '@tidemark/core';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SnapshotsState } from './state.js';

const TABLES = ['recipes', 'ingredients', 'recipe_ingredients', 'production_runs', 'recipe_snapshots'] as const;

export async function writeFixture(state: SnapshotsState, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const file of await readdir(dir)) if (file.endsWith('.json')) await rm(join(dir, file));
  const schema = {
    recipe_snapshots: state.recipe_snapshots !== undefined,
    'production_runs.recipe_snapshot_id': !!state.run_link,
  };
  await writeFile(join(dir, 'schema.json'), `${JSON.stringify(schema, null, 2)}\n`);
  for (const table of TABLES) {
    const rows = state[table];
    if (rows) await writeFile(join(dir, `${table}.json`), `${JSON.stringify(rows, null, 2)}\n`);
  }
}

export async function readFixture(dir: string): Promise<SnapshotsState> {
  const read = async <R>(name: string, fallback?: R): Promise<R> => {
    try {
      return JSON.parse(await readFile(join(dir, `${name}.json`), 'utf8')) as R;
    } catch (error) {
      if (fallback !== undefined && (error as NodeJS.ErrnoException).code === 'ENOENT') return fallback;
      throw createError('plugin-snapshots', `fixture ${join(dir, `${name}.json`)}: ${(error as Error).message}`);
    }
  };
  const schema = await read<Record<string, boolean>>('schema', {});
  const state: SnapshotsState = {
    recipes: await read('recipes', []),
    ingredients: await read('ingredients', []),
    recipe_ingredients: await read('recipe_ingredients', []),
    production_runs: await read('production_runs', []),
    run_link: !!schema['production_runs.recipe_snapshot_id'],
  };
  if (schema.recipe_snapshots) state.recipe_snapshots = await read('recipe_snapshots', []);
  return state;
}
