export { sheetsPlugin, sheetsMigrations, PLUGIN_NAME } from './plugin.js';
export { sheetsTarget, serviceAccountAuth, SCOPES, type SheetsTarget, type SheetsTargetOptions } from './target.js';
export {
  migrateSheet,
  verifySheet,
  rollbackSheet,
  sheetStatus,
  type MigrateOptions,
  type MigrateResult,
  type VerifyOptions,
  type RollbackOptions,
  type RollbackResult,
  type RunOptions,
} from './api.js';
export { resolveConfig, type SheetsPluginOptions, type RollbackMode, type Config } from './options.js';
export { runChecks, type VerificationReport, type CheckResult } from './checks.js';
export { sheetsLedger, LOCK_METADATA_ID, type SheetsLedger } from './ledger.js';
export { classify, viewSheet, type SheetView, type Classification, type Shape } from './inspect.js';
export {
  SheetsSession,
  ApiCallError,
  describeApiError,
  type RequestStats,
  type RetryOptions,
  type AuthLike,
} from './client.js';
export {
  V21_HEADERS,
  V30_ADDED_HEADERS,
  V21_COLUMN_COUNT,
  KNOWN_V21_HEADERS,
  normalizeHeader,
  DEFAULT_SHEET_NAME,
  DEFAULT_KEY_HEADER,
  INITIAL_VERSION,
  schemaOf,
  type SheetSchema,
} from './schema.js';
export { columnLetter, columnIndex, parseA1 } from './a1.js';
export { runCli, exitCodeFor, EXIT, type CliIo } from './cli.js';
export { checkEligibility, CELL_LIMIT, type EligibilityReport, type EligibilityCheck } from './eligibility.js';
export { readSpreadsheet, writeSpreadsheetFiles, type SpreadsheetState } from './capture.js';
