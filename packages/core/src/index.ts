export type * from './contract.js';
export { defineMigration, defineTrait, defineGuard, definePlugin, type MigrationDefinition } from './define.js';
export {
  TidemarkError,
  isTidemarkError,
  createError,
  type TidemarkErrorCode,
  type TidemarkErrorFields,
} from './errors.js';
export { EventStream, type TidemarkEvent, type TidemarkEventType, type EventOf, type EventListener } from './events.js';
export { computePlan, hasWork, inContexts, describeReasons, type PlanInput } from './plan.js';
export { orderMigrations } from './dag.js';
export {
  createRunner,
  type Runner,
  type RunnerOptions,
  type UpOptions,
  type DownOptions,
  type VerifyReport,
  type StatusReport,
  type RehearsalReport,
} from './runner/index.js';
export { runPendingMigrations, type StartupResult } from './startup.js';
export { acquireLease, newHolder, whoAmI, type Lease, type LeaseOptions } from './lease.js';
export { memoryLedger, memoryLock, type MemoryLedger } from './memory-ledger.js';
export { redact, describeError } from './redact.js';
export { checksumMatches, checksumOf, normalizeSource, sha256 } from './checksum.js';
export { consoleSink, type ConsoleSinkOptions } from './sinks/console.js';
export { jsonLinesSink } from './sinks/json-lines.js';
