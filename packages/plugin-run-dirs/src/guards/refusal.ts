// Errors of the run-dirs guards carry a machine-readable reason so the fleet can report *why* a run was
// refused or restored, while the message names the run, the file and what to do.
import { TidemarkError } from '@tidemark/core';
import { initRunDirsError } from '../errors.js';
import { PLUGIN_NAME } from '../options.js';

export type GuardReason =
  | 'READONLY'
  | 'NODB_LOCKED'
  | 'DISK_SPACE'
  | 'ARCHIVE_FAILED'
  | 'RESTORE_FAILED'
  | 'SNAPSHOT_FAILED'
  | 'ZIP_SLIP'
  | 'SYMLINK_OUTSIDE'
  | 'JOURNAL_UNVERIFIED'
  | 'INTERRUPTED_RUN_RESTORED';

export class RunDirsGuardError extends TidemarkError {
  readonly reason: GuardReason;
  constructor(reason: GuardReason, message: string, options: { cause?: unknown } = {}) {
    super('STEP_FAILED', message, { plugin: PLUGIN_NAME });
    initRunDirsError(this, options.cause);
    this.name = 'RunDirsGuardError';
    this.reason = reason;
  }
}

/** Finds a guard error anywhere in a cause chain (the runner wraps guard errors in its own). */
export function guardReasonOf(error: unknown): RunDirsGuardError | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 10; depth++) {
    if (current instanceof RunDirsGuardError) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
