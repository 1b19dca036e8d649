// Seed 004: the recipe app's database through its own TypeORM DataSource. The demo uses sql.js (SQLite in
// WebAssembly) saved to a file, so each `tidemark` command sees what the one before wrote; an app passes the
// DataSource it already has (PostgreSQL, SQLite, ...).
// Copy it: set SNAPSHOTS_DB to your database file, or build a postgres DataSource instead.
import { defineConfig } from '@tidemark/cli';
import { snapshotEntities, snapshotsPlugin } from '@tidemark/plugin-snapshots';
import { DataSource } from 'typeorm';

const file = process.env.SNAPSHOTS_DB;
if (!file)
  throw new Error('set SNAPSHOTS_DB to a SQLite file (npm run demo -- snapshots makes one from sample_data.json)');

export default defineConfig({
  targets: {
    recipes: {
      // Small batches so the demo shows the resumable backfill commit batch after batch.
      plugin: snapshotsPlugin({ batchSize: 4 }),
      target: () =>
        new DataSource({
          type: 'sqljs',
          location: file,
          autoSave: true,
          entities: snapshotEntities,
          logging: false,
        }).initialize(),
      dispose: (ds) => ds.destroy(),
    },
  },
});
