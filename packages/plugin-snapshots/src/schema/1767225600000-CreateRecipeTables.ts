// The application's schema BEFORE the snapshot feature (recipes, ingredients, their join, production runs).
// The app owns it; the plugin ships it for tests, the demo and the benchmark.
import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';
import { timestampType } from './column-types.js';

export class CreateRecipeTables1767225600000 implements MigrationInterface {
  name = 'CreateRecipeTables1767225600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const id = {
      name: 'id',
      type: 'integer',
      isPrimary: true,
      isGenerated: true,
      generationStrategy: 'increment' as const,
    };
    await queryRunner.createTable(
      new Table({
        name: 'recipes',
        columns: [
          id,
          { name: 'name', type: 'varchar', length: '200' },
          { name: 'category', type: 'varchar', length: '100', isNullable: true },
          { name: 'source', type: 'varchar', length: '500', isNullable: true },
          { name: 'yield_quantity', type: 'double precision', isNullable: true },
          { name: 'yield_unit', type: 'varchar', length: '50', isNullable: true },
          { name: 'yield_description', type: 'varchar', length: '200', isNullable: true },
          { name: 'estimated_time_minutes', type: 'integer', isNullable: true },
          { name: 'notes', type: 'text', isNullable: true },
          { name: 'variant_name', type: 'varchar', length: '100', isNullable: true },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'ingredients',
        columns: [
          id,
          { name: 'display_name', type: 'varchar', length: '200' },
          { name: 'slug', type: 'varchar', length: '200', isUnique: true },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'recipe_ingredients',
        columns: [
          id,
          { name: 'recipe_id', type: 'integer' },
          { name: 'ingredient_id', type: 'integer', isNullable: true },
          { name: 'quantity', type: 'decimal', precision: 10, scale: 3 },
          { name: 'unit', type: 'varchar', length: '50' },
          { name: 'notes', type: 'text', isNullable: true },
        ],
        foreignKeys: [
          {
            columnNames: ['recipe_id'],
            referencedTableName: 'recipes',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
          {
            columnNames: ['ingredient_id'],
            referencedTableName: 'ingredients',
            referencedColumnNames: ['id'],
            onDelete: 'SET NULL',
          },
        ],
        indices: [{ columnNames: ['recipe_id'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'production_runs',
        columns: [
          id,
          { name: 'recipe_id', type: 'integer', isNullable: true },
          { name: 'produced_at', type: timestampType(queryRunner), isNullable: true },
          { name: 'num_batches', type: 'integer', default: 1 },
          { name: 'notes', type: 'text', isNullable: true },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['production_runs', 'recipe_ingredients', 'ingredients', 'recipes'])
      await queryRunner.dropTable(table);
  }
}
