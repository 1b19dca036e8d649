// The plugin's guards, outermost first in `defaultRunDirGuards`: READONLY refusal, .nodb locks, disk space,
// snapshot (zip archive or hardlinks), temp sweep.
export { defaultRunDirGuards, runDirGuards, type RunDirGuardOptions } from './default-guards.js';
export { readonlyGuard, isReadonlyRun, assertWritableRun } from './readonly.js';
export {
  nodbLockGuard,
  findNodbLocks,
  assertNoNodbLocks,
  holdNodbLocks,
  redisCommander,
  type NodbLockOptions,
  type LockFinding,
  type HeldNodbLocks,
  type RedisCommander,
  type RedisInput,
} from './nodb-locks.js';
export {
  diskSpaceGuard,
  checkDiskSpace,
  formatBytes,
  type DiskSpaceOptions,
  type DiskSpaceReport,
} from './disk-space.js';
export {
  archiveGuard,
  hardlinkSnapshotGuard,
  recoverInterruptedRun,
  type ArchiveGuardOptions,
  type HardlinkGuardOptions,
  type RecoveryReport,
} from './snapshot-guard.js';
export { tempSweepGuard } from './temp-sweep.js';
export { RunDirsGuardError, guardReasonOf, type GuardReason } from './refusal.js';
