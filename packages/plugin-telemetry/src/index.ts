export { telemetryPlugin, type TelemetryPlugin } from './plugin.js';
export type { TelemetryTarget } from './target.js';
export { describeTarget } from './target.js';
export type { TelemetryPluginOptions } from './options.js';
export { TABLES, SAMPLE_COLUMNS, type SampleColumn } from './schema.js';
export { HEADER_ALIASES, mapHeader, normalizeHeader, type HeaderMapping, type MappedColumn } from './header-map.js';
export { runPrechecks, type PrecheckOptions, type PrecheckReport, type PrecheckItem } from './prechecks.js';
export { createBackup, latestBackup, inspectBackup, type BackupInfo } from './backup.js';
export { postgresLedger } from './ledger.js';
export { advisoryLock } from './lock.js';
export { transactionOf } from './guards/step-transaction.js';
export { validateIngestion } from './migrations/003_ingest_logs.js';
export { listLogFiles, type LogFile } from './inventory.js';
export { parityReport, formatParity, type ParityReport, type FileParity, type ParityOptions } from './parity.js';
export { runbookReport, formatRunbook, type RunbookReport, type RunbookItem, type RunbookOptions } from './runbook.js';
export {
  createTelemetryWriter,
  envFlag,
  type TelemetryWriter,
  type TelemetryWriterOptions,
  type TelemetryWriterStats,
  type TelemetrySample,
} from './telemetry-writer.js';
export { LOGGER_COLUMNS } from './logger-format.js';
export { follow, type FollowOptions, type Follower, type FollowEvent, type FollowStats } from './follow.js';
export { recordProfileApplied, type AppliedProfile, type ProfileApplied } from './profile-applied.js';
export { rehearse, type RehearsalReport, type RehearsalFile } from './rehearse.js';
