import type { DataSource } from 'typeorm';
import { defineMigration } from '@tidemark/core';
import { hasTable } from '../inspect.js';
import { CreateRecipeSnapshots1767225600001 } from '../schema/1767225600001-CreateRecipeSnapshots.js';
import { inTransaction } from '../transaction.js';

/** The TypeORM schema migration, run in a transaction (savepoint inside a run-wide one). */
export const m001CreateRecipeSnapshots = defineMigration<DataSource>({
  id: '001_create_recipe_snapshots',
  title: 'Create table recipe_snapshots (one snapshot per production run)',
  async up(ctx) {
    if (!(await hasTable(ctx.target, 'production_runs'))) throw new Error('table production_runs not found: is this the recipe database?');
    await inTransaction(ctx.target, (runner) => new CreateRecipeSnapshots1767225600001().up(runner));
  },
  async down(ctx) {
    await inTransaction(ctx.target, (runner) => new CreateRecipeSnapshots1767225600001().down(runner));
  },
  async validate(ctx) {
    return (await hasTable(ctx.target, 'recipe_snapshots')) ? [] : [{ message: 'table is missing', where: 'recipe_snapshots' }];
  },
});
