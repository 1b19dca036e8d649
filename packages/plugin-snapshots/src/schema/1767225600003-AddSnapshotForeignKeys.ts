// The two foreign keys between runs and snapshots, and the index the link needs. Added after the backfill,
// as PostgreSQL's "populating a database" advice says: checked row by row during the backfill they cost more
// than half of its time (measured: 600 of 1,060 ms per 10,000 runs); added afterwards they are validated
// by one join. On SQLite TypeORM rebuilds the tables (foreign keys off, then foreign_key_check).
import { TableForeignKey, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { LINK_STATISTICS } from '../backfill-sql.js';

export const RUN_FK = 'fk_recipe_snapshots_production_run_id';
export const LINK_FK = 'fk_production_runs_recipe_snapshot_id';
// Without it every deleted snapshot makes ON DELETE SET NULL scan all runs (a 100k-run down never ended).
export const LINK_INDEX = 'ix_production_runs_recipe_snapshot_id';

export class AddSnapshotForeignKeys1767225600003 implements MigrationInterface {
  name = 'AddSnapshotForeignKeys1767225600003';

  async up(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.options.type === 'postgres') {
      // Statistics that know the runs are now linked: planned on those of before the backfill (every link
      // NULL), the run foreign key's check picked a nested loop (at 100,000 runs: 157 ms, against 91 ms
      // after this ANALYZE). Here, where the check runs, not at the end of the backfill: 004's checksum is
      // its definition's source, which stays as released.
      await queryRunner.query(LINK_STATISTICS);
    }
    await queryRunner.createForeignKey(
      'recipe_snapshots',
      new TableForeignKey({
        name: RUN_FK,
        columnNames: ['production_run_id'],
        referencedTableName: 'production_runs',
        referencedColumnNames: ['id'],
        onDelete: 'CASCADE',
      }),
    );
    await queryRunner.createForeignKey(
      'production_runs',
      new TableForeignKey({
        name: LINK_FK,
        columnNames: ['recipe_snapshot_id'],
        referencedTableName: 'recipe_snapshots',
        referencedColumnNames: ['id'],
        onDelete: 'SET NULL',
      }),
    );
    await queryRunner.createIndex(
      'production_runs',
      new TableIndex({ name: LINK_INDEX, columnNames: ['recipe_snapshot_id'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const runs = await queryRunner.getTable('production_runs');
    const index = runs?.indices.find((i) => i.columnNames.length === 1 && i.columnNames[0] === 'recipe_snapshot_id');
    if (index) await queryRunner.dropIndex('production_runs', index);
    const link = runs?.foreignKeys.find((f) => f.columnNames.includes('recipe_snapshot_id'));
    if (link) await queryRunner.dropForeignKey('production_runs', link);
    const snapshots = await queryRunner.getTable('recipe_snapshots');
    const run = snapshots?.foreignKeys.find((f) => f.columnNames.includes('production_run_id'));
    if (run) await queryRunner.dropForeignKey('recipe_snapshots', run);
  }
}
