// A target is one WEPPcloud run directory (`<root>/<prefix>/<runid>/`, `<root>/<runid>/` or a `_pups/` child).
import { basename, join, relative, resolve, sep } from 'node:path';

export interface RunDirTarget {
  /** Absolute or relative path of the run directory (the folder that holds the `.nodb` files). */
  dir: string;
  /** The run id used in Redis keys and channels (`<runid>:migration`); defaults to the folder's name. */
  runId?: string;
}

/** Folder inside the run where Tidemark keeps its own state. */
export const TIDEMARK_DIR = '.tidemark';
/** The ledger: applied ids, checksums, timings, outcomes. Part of the run, so a restore restores it too. */
export const LEDGER_FILE = `${TIDEMARK_DIR}/ledger.json`;
/** Checkpoints of resumable migrations (part of the run, like the ledger). */
export const CHECKPOINTS_FILE = `${TIDEMARK_DIR}/checkpoints.json`;
/** The lease lock. NOT part of a snapshot: a restore must neither delete nor roll back a live lease. */
export const LOCK_FILE = `${TIDEMARK_DIR}/lock.json`;
/** Where snapshot guards may keep their snapshots (hard-link trees); never snapshotted itself. */
export const SNAPSHOTS_DIR = `${TIDEMARK_DIR}/snapshots`;
/** The real system's archive folder; excluded from archives and kept by restores. */
export const ARCHIVES_DIR = 'archives';
/** Marker of a run that must never be written. */
export const READONLY_FILE = 'READONLY';

/**
 * Relative paths (POSIX separators) that snapshots, archives, restores, fixtures and `read()` leave alone:
 * `archives/` (as the real archive tool does), the live lease lock, snapshot storage, and orphan temp files.
 */
export function isOutsideSnapshot(relPath: string): boolean {
  const p = relPath.split(sep).join('/');
  return (
    p === ARCHIVES_DIR ||
    p.startsWith(`${ARCHIVES_DIR}/`) ||
    p === LOCK_FILE ||
    p.startsWith(`${LOCK_FILE}.`) ||
    p === SNAPSHOTS_DIR ||
    p.startsWith(`${SNAPSHOTS_DIR}/`)
  );
}

export function runIdOf(target: RunDirTarget): string {
  return target.runId ?? basename(resolve(target.dir));
}

export function runPath(target: RunDirTarget, ...parts: string[]): string {
  return join(target.dir, ...parts);
}

export function relativeToRun(target: RunDirTarget, path: string): string {
  return relative(resolve(target.dir), resolve(path)).split(sep).join('/');
}

export function describeTarget(target: RunDirTarget): string {
  return `run ${runIdOf(target)} (${target.dir})`;
}
