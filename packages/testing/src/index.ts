export type { PluginHarness } from './harness.js';
export { pluginFor } from './harness.js';
export { describeGolden, listCases, UPDATE_ENV, type GoldenOptions, type CaseSpec } from './golden.js';
export { describeLaws, type LawOptions } from './laws.js';
export { describeLedgerConformance, type LedgerFixture, type ConformanceOptions } from './conformance.js';
export { InjectedFault, withFaultAfter, withUpCounter, wrapMigrations } from './faults.js';
export {
  referencePlugin,
  referenceMigrations,
  memorySnapshotGuard,
  refTarget,
  type RefTarget,
  type RefDoc,
  type RefRecord,
} from './reference/plugin.js';
export { referenceHarness } from './reference/harness.js';
export { testClock, type TestClock } from './clock.js';
export {
  createTempFolder,
  createPgTestDatabase,
  createRedisTestKeys,
  pgTestServerUrl,
  redisTestUrl,
  PG_ENV,
  PG_ENV_DEPRECATED,
  REDIS_ENV,
  TMP_ENV,
  type TempFolder,
  type PgTestDatabase,
  type RedisTestKeys,
} from './services.js';
