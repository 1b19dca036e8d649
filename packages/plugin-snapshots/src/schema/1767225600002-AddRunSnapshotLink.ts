// Adds `production_runs.recipe_snapshot_id`, nullable: runs made before snapshots existed have none until
// the backfill links them. On SQLite TypeORM rebuilds the table for the foreign key (run with foreign keys off).
import { TableColumn, TableForeignKey, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

const FK = 'fk_production_runs_recipe_snapshot_id';
// Without it every deleted snapshot makes ON DELETE SET NULL scan all runs (a 100k-run down never ended).
const IX = 'ix_production_runs_recipe_snapshot_id';

export class AddRunSnapshotLink1767225600002 implements MigrationInterface {
  name = 'AddRunSnapshotLink1767225600002';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('production_runs', new TableColumn({ name: 'recipe_snapshot_id', type: 'integer', isNullable: true }));
    await queryRunner.createForeignKey(
      'production_runs',
      new TableForeignKey({ name: FK, columnNames: ['recipe_snapshot_id'], referencedTableName: 'recipe_snapshots', referencedColumnNames: ['id'], onDelete: 'SET NULL' }),
    );
    await queryRunner.createIndex('production_runs', new TableIndex({ name: IX, columnNames: ['recipe_snapshot_id'] }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const table = await queryRunner.getTable('production_runs');
    const index = table?.indices.find((i) => i.columnNames.length === 1 && i.columnNames[0] === 'recipe_snapshot_id');
    if (index) await queryRunner.dropIndex('production_runs', index);
    const fk = table?.foreignKeys.find((f) => f.columnNames.includes('recipe_snapshot_id'));
    if (fk) await queryRunner.dropForeignKey('production_runs', fk);
    await queryRunner.dropColumn('production_runs', 'recipe_snapshot_id');
  }
}
