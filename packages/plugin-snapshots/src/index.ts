export { snapshotsPlugin, describeDataSource, PLUGIN_NAME } from './plugin.js';
export type { SnapshotsPluginOptions } from './options.js';
export { typeormLedger, type TypeormLedgerOptions } from './ledger.js';
export { rowLock } from './lock.js';
export { transactionOf } from './transaction.js';
export { runTransactionGuard } from './guards/index.js';
export { appTablesGuard } from './preflight.js';
export { backupGuard, takeBackup, TOUCHED_TABLES, type BackupOptions, type Backup } from './backup.js';
export { migrationSummary, type SummaryData } from './report.js';
export { runSnapshotsCli, type SnapshotsCliIo } from './cli.js';
export { APP_TABLES, missingAppTables } from './inspect.js';
export {
  snapshotsTableMissing,
  runLinkMissing,
  runsWithoutSnapshot,
  snapshotForeignKeysMissing,
} from './traits/index.js';
export { backfillStats, formatStats, type BackfillStats, type BackfillError } from './stats.js';
export { BACKFILL_ID } from './migrations/003_backfill_recipe_snapshots.js';
export type { BackfillCursor, RunWindow, FailedRun } from './cursor.js';
export {
  snapshotEntities,
  RecipeEntity,
  IngredientEntity,
  RecipeIngredientEntity,
  ProductionRunEntity,
  RecipeSnapshotEntity,
  type Recipe,
  type Ingredient,
  type RecipeIngredient,
  type ProductionRun,
  type RecipeSnapshot,
} from './entities.js';
export { CreateRecipeTables1767225600000 } from './schema/1767225600000-CreateRecipeTables.js';
export { CreateRecipeSnapshots1767225600001 } from './schema/1767225600001-CreateRecipeSnapshots.js';
export { AddRunSnapshotLink1767225600002 } from './schema/1767225600002-AddRunSnapshotLink.js';
export { AddSnapshotForeignKeys1767225600003 } from './schema/1767225600003-AddSnapshotForeignKeys.js';
export {
  readState,
  loadState,
  normalizeState,
  type SnapshotsState,
  type RecipeRow,
  type IngredientRow,
  type RecipeIngredientRow,
  type ProductionRunRow,
  type RecipeSnapshotRow,
} from './state.js';
export { readFixture, writeFixture } from './fixture.js';
export { openSqljs, openPostgres } from './connect.js';
