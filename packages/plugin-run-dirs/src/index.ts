// Public face of @tidemark/plugin-run-dirs: the plugin, the file discipline and table helpers a migration is
// written with, the guards, provenance and fleet pieces @tidemark/fleet builds on. Named exports only; the
// test harness is in `@tidemark/plugin-run-dirs/testing`.

// The plugin
export { runDirsPlugin, PLUGIN_NAME, type RunDirsPluginOptions } from './plugin.js';
export { RunDirError } from './errors.js';

// The target and its layout
export {
  describeTarget,
  isOutsideSnapshot,
  relativeToRun,
  runIdOf,
  runPath,
  LOCK_FILE,
  READONLY_FILE,
  TIDEMARK_DIR,
  type RunDirTarget,
} from './target.js';
export { captureRunDir } from './capture.js';
export { runDirLedger, readLedgerEntries, type LedgerFile } from './ledger.js';
export {
  CURRENT_VERSION,
  LEGACY_VERSION,
  NODB_VERSION_FILE,
  readVersion,
  writeVersion,
  nodbVersionStamp,
} from './nodb-version.js';

// Writing a migration: never in place (temp file, fsync, rename), and the readers of the run's formats
export {
  writeFileAtomic,
  moveFile,
  linkFile,
  removeFile,
  ensureDir,
  removeEmptyDir,
  onFileOp,
  injectFaultAt,
  type FileOp,
  type FileOpKind,
  type FileOpHook,
} from './file-ops.js';
export { exists, isFile, isRunFile, listFiles, readPyJsonFile } from './run-files.js';
export {
  parsePyJson,
  stringifyPyJson,
  detectStyle,
  toPlain,
  PyJsonSyntaxError,
  type PyValue,
  type PyObj,
  type PyNum,
  type PyJsonStyle,
} from './json/py-json.js';
export {
  readParquet,
  readParquetSelected,
  writeParquet,
  encodeParquet,
  readParquetColumns,
  logicalValue,
  type Table,
  type ColumnSpec,
  type ColumnType,
  type Cell,
  type ParquetFile,
  type CarriedElement,
} from './tables/parquet.js';
export { topazTranslator, type TopazTranslator } from './tables/topaz-translator.js';
export { parseCsv, formatCsv, type CsvTable } from './tables/csv.js';

// Guards
export {
  defaultRunDirGuards,
  runDirGuards,
  readonlyGuard,
  isReadonlyRun,
  assertWritableRun,
  nodbLockGuard,
  findNodbLocks,
  assertNoNodbLocks,
  holdNodbLocks,
  redisCommander,
  diskSpaceGuard,
  checkDiskSpace,
  archiveGuard,
  hardlinkSnapshotGuard,
  recoverInterruptedRun,
  tempSweepGuard,
  RunDirsGuardError,
  guardReasonOf,
  type RunDirGuardOptions,
  type NodbLockOptions,
  type LockFinding,
  type HeldNodbLocks,
  type RedisCommander,
  type RedisInput,
  type DiskSpaceOptions,
  type DiskSpaceReport,
  type ArchiveGuardOptions,
  type HardlinkGuardOptions,
  type RecoveryReport,
  type GuardReason,
} from './guards/index.js';
export {
  createRunArchive,
  restoreRunArchive,
  resolveArchiveRef,
  entryNameProblem,
  sha256OfFile,
  type ArchiveOptions,
  type ArchiveResult,
  type RestoreResult,
  type RestoreOptions,
} from './guards/zip-archive.js';
export { symlinkPolicyGuard, outsideLinks, assertLinksInside } from './guards/symlinks.js';
export { pruneRunArchives, listRunArchives, parseAge } from './guards/archive-retention.js';
export { rehearseRunDir } from './rehearse.js';

// Provenance and the run registry
export { readProvenance, writeProvenance, PROVENANCE_FILE, type Provenance } from './provenance/sidecar.js';
export {
  openRegistry,
  type RunRegistry,
  type RegistryOptions,
  type RegistryRow,
  type StoredRegistryRow,
} from './provenance/registry.js';
export { readRunConfig } from './provenance/run-config.js';

// Fleet: discovery and the per-run hook (the queue is @tidemark/fleet)
export { discoverRuns, isRunDir, groupFamilies, type DiscoveredRun, type DiscoverOptions } from './fleet/discover.js';
export { formatLogLine, parseLogLine, type RunStatus } from './fleet/log-line.js';
export { migrateRun, type MigrateRunOptions, type RunReport } from './fleet/migrate-run.js';
export { fleetUp, fleetScan, fleetRuns, type FleetOptions, type FleetSummary } from './fleet/fleet.js';
export { runFleetCli, type FleetIo } from './fleet/cli.js';
