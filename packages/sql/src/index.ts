export {
  knexExecutor,
  typeormExecutor,
  numbered,
  type SqlExecutor,
  type SqlSession,
  type SqlDialect,
  type Row,
  type TypeormClient,
} from './executor.js';
export { sqlLedger, type SqlLedger, type SqlLedgerOptions, type LockStrategy } from './ledger.js';
export type { LegacyLedger } from './schema.js';
export { advisoryLock, advisoryKey } from './advisory-lock.js';
export { leaseRowLock, type LeaseRowLockOptions } from './lease-row-lock.js';
export { checkIdentifier, defaultLedgerTable } from './identifier.js';
export { isUndefinedTable, isUndefinedColumn } from './errors.js';
export { transactionOf, activeTransaction, knexStepTransaction, typeormStepTransaction } from './transaction.js';
export { knexPlugin, typeormPlugin, type SqlPluginOptions } from './plugin.js';
export {
  readSchemaState,
  loadSchemaState,
  writeSchemaState,
  readSchemaStateSync,
  type SchemaState,
  type TableState,
  type CaptureOptions,
} from './capture.js';
export { rehearsalDiff, type RehearsalDiffInput, type TableRowCounts } from './rehearsal-diff.js';
