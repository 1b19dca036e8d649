// Adds `production_runs.recipe_snapshot_id`, nullable: runs made before snapshots existed have none until
// the backfill links them. Its foreign key and index come after the backfill (AddSnapshotForeignKeys).
import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

export class AddRunSnapshotLink1767225600002 implements MigrationInterface {
  name = 'AddRunSnapshotLink1767225600002';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'production_runs',
      new TableColumn({ name: 'recipe_snapshot_id', type: 'integer', isNullable: true }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('production_runs', 'recipe_snapshot_id');
  }
}
