// `nodb.version`, read and written as wepppy/nodb/version.py does: ASCII decimal + newline, written via a
// temp file in the run root, fsync, rename. A missing/empty/unparsable/non-positive marker means: a run with
// `*.nodb` files is legacy (0); a run without any is new (CURRENT_VERSION). A run that had no marker gets
// none back from `down` (the stamp's `stored`/`remove`), rather than the version it was read as.
import { createError } from '@tidemark/core';
import { readdir, readFile } from 'node:fs/promises';
import type { VersionStamp } from '@tidemark/core';
import { removeFile, writeFileAtomic } from './file-ops.js';
import { exists } from './run-files.js';
import { runPath, type RunDirTarget } from './target.js';

export const NODB_VERSION_FILE = 'nodb.version';
/** The real system's current version: runs created by today's WEPPcloud. */
export const CURRENT_VERSION = 1000;
/** A run with `.nodb` files and no usable marker. */
export const LEGACY_VERSION = 0;

/** The parsed marker, or null when it is missing, empty, not an integer, or <= 0. */
export async function readVersionMarker(target: RunDirTarget): Promise<number | null> {
  let text: string;
  try {
    text = await readFile(runPath(target, NODB_VERSION_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const trimmed = text.trim();
  if (!/^[+-]?\d+$/.test(trimmed)) return null;
  const value = Number.parseInt(trimmed, 10);
  return Number.isSafeInteger(value) && value > 0 ? value : null;
}

export async function hasNodbFiles(target: RunDirTarget): Promise<boolean> {
  const entries = await readdir(target.dir, { withFileTypes: true });
  return entries.some((e) => e.isFile() && e.name.endsWith('.nodb'));
}

export async function readVersion(target: RunDirTarget): Promise<number> {
  const marker = await readVersionMarker(target);
  if (marker !== null) return marker;
  return (await hasNodbFiles(target)) ? LEGACY_VERSION : CURRENT_VERSION;
}

export async function writeVersion(target: RunDirTarget, version: number): Promise<void> {
  if (!Number.isSafeInteger(version) || version < 0) {
    throw createError(
      'plugin-run-dirs',
      `${runPath(target, NODB_VERSION_FILE)}: version must be a non-negative integer, got ${version}`,
    );
  }
  await writeFileAtomic(runPath(target, NODB_VERSION_FILE), `${version}\n`);
}

/** Whether the run has a `nodb.version` file at all, usable or not. */
export async function hasVersionFile(target: RunDirTarget): Promise<boolean> {
  return exists(runPath(target, NODB_VERSION_FILE));
}

/** Deletes `nodb.version` (fsyncing the run folder); nothing to do when there is none. */
export async function removeVersion(target: RunDirTarget): Promise<void> {
  if (await hasVersionFile(target)) await removeFile(runPath(target, NODB_VERSION_FILE));
}

export const nodbVersionStamp: VersionStamp<RunDirTarget> = {
  read: readVersion,
  write: writeVersion,
  stored: hasVersionFile,
  remove: removeVersion,
};
