// Adds `recipe_snapshots`: one snapshot per production run (the unique run id is what makes a resumed
// backfill provably duplicate-free). Its foreign key comes after the backfill (AddSnapshotForeignKeys).
import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';
import { timestampType } from './column-types.js';

export class CreateRecipeSnapshots1767225600001 implements MigrationInterface {
  name = 'CreateRecipeSnapshots1767225600001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'recipe_snapshots',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'recipe_id', type: 'integer', isNullable: true },
          { name: 'production_run_id', type: 'integer' },
          { name: 'scale_factor', type: 'double precision', default: 1 },
          { name: 'snapshot_date', type: timestampType(queryRunner) },
          { name: 'recipe_data', type: 'text' },
          { name: 'ingredients_data', type: 'text' },
          { name: 'is_backfilled', type: 'boolean', default: false },
        ],
        uniques: [{ name: 'uq_recipe_snapshots_production_run_id', columnNames: ['production_run_id'] }],
        indices: [{ name: 'ix_recipe_snapshots_recipe_id', columnNames: ['recipe_id'] }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('recipe_snapshots');
  }
}
