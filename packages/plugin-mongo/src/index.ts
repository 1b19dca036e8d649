export { mongoPlugin, MONGO_PLUGIN_NAME, type MongoPluginOptions } from './plugin.js';
export { mongoAppPlugin, MONGO_APP_PLUGIN_NAME, APP_DEFAULT_NAMES, type MongoAppPluginOptions } from './app-plugin.js';
export { contextsFromFlags, FEATURE_FLAGS, type FeatureFlag, type FeatureFlags } from './flags.js';
export { dbOf, describeTarget, toTarget, type MongoTarget, type MongooseConnectionLike } from './target.js';
export { mongoLedger, type LedgerDocument, type MongoLedgerOptions } from './ledger.js';
export { mongoLock, type MongoLockOptions } from './lock.js';
export {
  snapshotGuard,
  takeSnapshot,
  restoreSnapshot,
  dropSnapshot,
  type SnapshotGuardOptions,
} from './guards/snapshot.js';
export { labletSchemaMissing, workersInLegacyShape } from './traits/index.js';
export { labletCollections, labletSchemaIssues, LABLET_COLLECTIONS_ID } from './migrations/001_lablet_collections.js';
export {
  workerExtensions,
  addCapacityFieldsUpdate,
  addCapacityFieldsFor,
  workerIssues,
  WORKER_EXTENSIONS_ID,
} from './migrations/002_cml_worker_extensions.js';
export {
  LABLET_COLLECTIONS,
  LABLET_INDEXES,
  WORKERS,
  WORKER_DEFAULTS,
  WORKER_FIELDS,
  WORKER_INDEX,
  ADDED_BY_002,
  type IndexSpec,
} from './schema.js';
export { DEFAULT_NAMES, type CollectionNames } from './names.js';
export {
  readState,
  writeStateToDb,
  stateText,
  writeFixture,
  loadFixture,
  type MongoState,
  type CollectionState,
  type IndexState,
} from './state.js';
export {
  isLabletManaged,
  workerMode,
  convertWorkerToLablet,
  type WorkerMode,
  type ConvertOptions,
  type ConvertResult,
} from './worker-mode.js';
