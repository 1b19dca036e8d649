// The guard stack of a run-dirs migration, outermost first: refuse READONLY, refuse a symlink pointing
// outside the run, refuse (and then hold) the
// web app's `.nodb` locks, check free disk, snapshot; the default stack adds the temp sweep inside. Refusals
// come before the snapshot so a refused run is left exactly as it was: no archive, no journal, no lock file.
import type { Guard } from '@tidemark/core';
import type { RunDirTarget } from '../target.js';
import { tempSweepGuard } from './temp-sweep.js';
import { diskSpaceGuard, type DiskSpaceOptions } from './disk-space.js';
import { nodbLockGuard, type RedisInput } from './nodb-locks.js';
import { readonlyGuard } from './readonly.js';
import type { RunTargetLike } from './run-identity.js';
import { archiveGuard, hardlinkSnapshotGuard } from './snapshot-guard.js';
import { symlinkPolicyGuard } from './symlinks.js';

export interface RunDirGuardOptions {
  /** Redis URL or client of the web app; without it `.nodb` locks are not checked. */
  redis?: RedisInput;
  /** `zip` (the real `archives/` format, default) or `hardlink` (fast, same filesystem). */
  snapshot?: 'zip' | 'hardlink' | 'none';
  disk?: DiskSpaceOptions | false;
  /** Run paths that snapshots never hold and restores never touch (beyond archives/ and snapshots). */
  preserve?: readonly string[];
  archiveAfter?: boolean;
  nodbLockTtlMs?: number;
}

export function runDirGuards<T extends RunTargetLike>(options: RunDirGuardOptions = {}): Guard<T>[] {
  const preserve = options.preserve ?? [];
  const guards: Guard<T>[] = [readonlyGuard<T>(), symlinkPolicyGuard<T>({ preserve })];
  if (options.redis !== undefined)
    guards.push(
      nodbLockGuard<T>({ redis: options.redis, ...(options.nodbLockTtlMs ? { ttlMs: options.nodbLockTtlMs } : {}) }),
    );
  if (options.disk !== false) guards.push(diskSpaceGuard<T>({ ...(options.disk ?? {}), preserve }));
  const kind = options.snapshot ?? 'zip';
  if (kind === 'zip')
    guards.push(archiveGuard<T>({ preserve, ...(options.archiveAfter ? { archiveAfter: true } : {}) }));
  if (kind === 'hardlink') guards.push(hardlinkSnapshotGuard<T>({ preserve }));
  return guards;
}

/**
 * The stack runDirsPlugin and migrateRun use when the caller names none (the fleet job builds the same):
 * runDirGuards plus the temp sweep, innermost, so the snapshot still holds the run exactly as it was.
 */
export function defaultRunDirGuards(options: RunDirGuardOptions = {}): Guard<RunDirTarget>[] {
  return [...runDirGuards<RunDirTarget>(options), tempSweepGuard<RunDirTarget>()];
}
