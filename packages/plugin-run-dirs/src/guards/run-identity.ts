// Who a run directory is, as the real system names it: lock keys use the id of the top-level run and the
// path of the `.nodb` relative to it, so a child run under `_pups/` locks inside its parent's namespace.
import { basename, dirname, relative, resolve, sep } from 'node:path';
import type { RunDirTarget } from '../target.js';

/** The guards work on any `{ dir, runId? }`; the plugin's RunDirTarget is one. */
export type RunTargetLike = RunDirTarget;

export interface RunIdentity {
  /** Absolute path of this run. */
  dir: string;
  /** Id used in archive names: the target's runId, else the folder name. */
  runId: string;
  /** Id of the top-level run (differs from runId for a `_pups/...` child). */
  lockRunId: string;
  /** POSIX path of this run relative to the top-level run ('' for a top-level run). */
  lockPrefix: string;
}

export function runIdentity(target: RunTargetLike): RunIdentity {
  const dir = resolve(target.dir);
  const parts = dir.split(sep);
  const pups = parts.lastIndexOf('_pups');
  const top = pups > 0 ? parts.slice(0, pups).join(sep) || sep : dir;
  const runId = target.runId ?? basename(dir);
  const lockRunId = pups > 0 ? basename(top) : runId;
  const lockPrefix = pups > 0 ? relative(top, dir).split(sep).join('/') : '';
  return { dir, runId, lockRunId, lockPrefix };
}

/** For messages: the run folder's last two components (never a full path with a home directory). */
export function shortLabel(target: RunTargetLike): string {
  const dir = resolve(target.dir);
  return `${basename(dirname(dir))}/${basename(dir)}`;
}
